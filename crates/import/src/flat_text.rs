//! A document whose appendix table was flattened to one cell per line — what copying a
//! resolution from a legal-document web site gives (seed 002, Resolution 47/NQ-CP).
//!
//! The reader finds the appendix ("PHỤ LỤC"), then the header cells one per line ("STT", "Tên
//! đề án/nhiệm vụ", "Cơ quan chủ trì", …), then reads rows: a row starts at a code line ("1",
//! "II", "1.1") and its cells follow, one per non-empty line. Empty cells leave no line, so a
//! row's end is found by the next code line or by its time-frame cell (the last column), and a
//! row with one cell fewer than the columns lacks its coordinating cell (the column documents
//! leave empty). The table ends at the first line after a finished row that is not a code:
//! page furniture that follows ("Văn bản này chưa cập nhật…", a view counter "2.534") is not
//! part of it. The rows are then read by the shared table reader ([`crate::table`]), and the
//! lines before the appendix give the document's metadata.

use dongbo_domain::{Directory, ImportedProgram};

use crate::ImportError;
use crate::assemble::{looks_like_time_frame, roman_value};
use crate::limits::{Budget, Limit, Limits, check_table};
use crate::table::{
    Cell, Column, ColumnNames, Header, Row, Table, recognise_column, rows_to_program,
};

/// A line that starts a row.
#[derive(Debug, Clone, PartialEq, Eq)]
enum RowCode {
    /// "1", "II": a group, or a task numbered inside a group.
    Plain(String),
    /// "1.1", "3.21".
    Dotted(u32, u32),
}

fn row_code(line: &str) -> Option<RowCode> {
    let code = line.trim().trim_end_matches('.');
    if roman_value(code).is_some() {
        return Some(RowCode::Plain(code.to_owned()));
    }
    if (1..=3).contains(&code.len()) && code.chars().all(|c| c.is_ascii_digit()) {
        return Some(RowCode::Plain(code.to_owned()));
    }
    let (group, task) = code.split_once('.')?;
    let short_number =
        |s: &str, max: usize| (1..=max).contains(&s.len()) && s.chars().all(|c| c.is_ascii_digit());
    (short_number(group, 2) && short_number(task, 3))
        .then(|| Some(RowCode::Dotted(group.parse().ok()?, task.parse().ok()?)))
        .flatten()
}

/// Where the flattened table is: the header cells and the line of the first row.
#[derive(Debug)]
struct Located {
    /// Index (into the non-empty lines) of the header's first cell.
    header_start: usize,
    /// The header cells after the code column, with their column.
    columns: Vec<(Column, String)>,
    /// Index of the first row's code line.
    first_row: usize,
}

/// Find the header: a "STT"/"TT" line followed by column names one per line, then a row code.
/// Searched from the appendix heading when there is one, so a table-like passage in the body
/// is not taken for the program.
fn locate(lines: &[(usize, &str)]) -> Option<Located> {
    let appendix = lines
        .iter()
        .position(|(_, l)| {
            let folded = dongbo_domain::text::fold(l);
            folded.starts_with("phu luc") && folded.chars().count() <= 60
        })
        .unwrap_or(0);
    for start in appendix..lines.len() {
        if recognise_column(lines[start].1) != Some(Column::Code) {
            continue;
        }
        let mut columns = Vec::new();
        let mut next = start + 1;
        while let Some((_, line)) = lines.get(next) {
            match recognise_column(line) {
                Some(Column::Code) | None => break,
                Some(column) => columns.push((column, (*line).to_owned())),
            }
            next += 1;
        }
        let named = |wanted: Column| columns.iter().any(|(c, _)| *c == wanted);
        if named(Column::Title)
            && columns.len() >= 2
            && lines.get(next).is_some_and(|(_, l)| row_code(l).is_some())
        {
            return Some(Located {
                header_start: start,
                columns,
                first_row: next,
            });
        }
    }
    None
}

/// Whether `text` holds a flattened appendix table (for [`crate::Format::Auto`]), judged
/// from its first lines up to the limit on paragraphs.
pub(crate) fn looks_like_flat_table(text: &str, limits: &Limits) -> bool {
    let lines = non_empty_lines(text, limits.paragraphs);
    locate(&lines).is_some()
}

/// The non-empty lines with their 1-based numbers, at most `max + 1` of them: one more than
/// the limit tells the caller the limit was passed, without holding a million lines.
fn non_empty_lines(text: &str, max: usize) -> Vec<(usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty())
        .take(max.saturating_add(1))
        .collect()
}

pub(crate) fn import(
    text: &str,
    budget: &Budget,
    directory: &Directory,
) -> Result<ImportedProgram, ImportError> {
    let file = budget.file;
    let max_lines = budget.limits.paragraphs;
    let lines = non_empty_lines(text, max_lines);
    if let Some((line, _)) = lines.get(max_lines) {
        return Err(budget.exceeded(Limit::Paragraphs, format!("line {line}")));
    }
    let located = locate(&lines).ok_or_else(|| ImportError::NoTable {
        file: file.to_owned(),
        message: "no flattened appendix table found: expected «PHỤ LỤC», then the header cells \
                  «STT», «Tên nhiệm vụ», «Cơ quan chủ trì», «Thời gian thực hiện» one per line, \
                  then rows starting with codes such as «1» and «1.1»"
            .to_owned(),
    })?;

    let has_time = located.columns.iter().any(|(c, _)| *c == Column::TimeFrame);
    let mut header_cells = vec![Cell::new(lines[located.header_start].1)];
    header_cells.extend(located.columns.iter().map(|(_, text)| Cell::new(text)));
    let header_row = Row {
        cells: header_cells,
        label: format!("line {}", lines[located.header_start].0),
    };
    let header = Header::recognise(&header_row, 0).ok_or_else(|| ImportError::NoTable {
        file: file.to_owned(),
        message: format!(
            "{}: the appendix header is not recognised",
            header_row.label
        ),
    })?;
    let mut rows = vec![header_row];
    let mut warnings = Vec::new();

    let mut at = located.first_row;
    let mut last_code: Option<RowCode> = None;
    let mut table_end_line = lines[at].0;
    while let Some(&(line_number, line)) = lines.get(at) {
        budget.check_time(|| format!("line {line_number}"))?;
        let Some(code) = row_code(line) else { break };
        let mut cells: Vec<&str> = Vec::new();
        let mut next = at + 1;
        let mut ended_by_time = false;
        while let Some(&(_, cell)) = lines.get(next) {
            if row_code(cell).is_some() {
                break;
            }
            cells.push(cell);
            next += 1;
            table_end_line = lines[next - 1].0;
            if has_time && cells.len() >= 2 && looks_like_time_frame(cell) {
                ended_by_time = true;
                break;
            }
        }
        rows.push(flat_row(
            line,
            line_number,
            &cells,
            &located.columns,
            has_time && (ended_by_time || cells.len() >= 2),
            &mut warnings,
        ));
        last_code = Some(code);
        at = next;
        if ended_by_time && lines.get(at).is_none_or(|(_, l)| row_code(l).is_none()) {
            break;
        }
    }
    if let Some(continuation) =
        continuation_after(&lines[at.min(lines.len())..], last_code.as_ref())
    {
        warnings.push(format!(
            "line {}: «{}» looks like the next row of the appendix table, which ended at line \
             {table_end_line}; check the file",
            continuation.0, continuation.1
        ));
    }

    let preamble_end = lines[located.header_start].0;
    // Everything before the header is metadata: the document's own header when the text has
    // one, else the appendix's title and its "(Kèm theo Nghị quyết số … )" line.
    let preamble: Vec<&str> = text.lines().take(preamble_end - 1).collect();
    let table = Table {
        rows,
        columns: ColumnNames::Numbers,
        lines: Vec::new(),
    };
    check_table(&table, budget, &mut 0)?;
    let mut program = rows_to_program(&table, &header, &preamble, budget, directory)?;
    warnings.append(&mut program.warnings);
    program.warnings = warnings;
    Ok(program)
}

/// One flattened row as a table row in header order. `last_is_time` says the last cell is
/// the time frame; the other cells fill the remaining columns in order, so a missing cell is
/// taken to be the last of them before the time frame (the coordinating agencies, in 47/NQ-CP).
fn flat_row(
    code: &str,
    line_number: usize,
    cells: &[&str],
    columns: &[(Column, String)],
    last_is_time: bool,
    warnings: &mut Vec<String>,
) -> Row {
    let mut out = vec![Cell::new(code); 1];
    out.resize(columns.len() + 1, Cell::default());
    let (time, rest) = match cells.split_last() {
        Some((last, rest)) if last_is_time => (Some(*last), rest),
        _ => (None, cells),
    };
    let slots: Vec<usize> = columns
        .iter()
        .enumerate()
        .filter(|(_, (c, _))| *c != Column::TimeFrame)
        .map(|(i, _)| i + 1)
        .collect();
    let mut rest: Vec<String> = rest.iter().map(|s| (*s).to_owned()).collect();
    if rest.len() > slots.len() && !slots.is_empty() {
        // A cell broken over lines: the overflow is most likely the long title's.
        let overflow = rest.len() - slots.len();
        let title: Vec<String> = rest.drain(..=overflow).collect();
        rest.insert(0, title.join(" "));
        warnings.push(format!(
            "line {line_number}: row {code} has more lines than columns; the first {} were \
             joined into its title",
            overflow + 1
        ));
    }
    for (slot, text) in slots.iter().zip(&rest) {
        out[*slot] = Cell::new(text);
    }
    if let (Some(time), Some(index)) = (
        time,
        columns.iter().position(|(c, _)| *c == Column::TimeFrame),
    ) {
        out[index + 1] = Cell::new(time);
    }
    Row {
        cells: out,
        label: format!("line {line_number}"),
    }
}

/// A code line after the table's end that continues its numbering (5.16 or 6 after 5.15).
fn continuation_after<'a>(
    rest: &[(usize, &'a str)],
    last: Option<&RowCode>,
) -> Option<(usize, &'a str)> {
    let expected: Vec<RowCode> = match last? {
        RowCode::Dotted(group, task) => vec![
            RowCode::Dotted(*group, task + 1),
            RowCode::Plain((group + 1).to_string()),
            RowCode::Dotted(group + 1, 1),
        ],
        RowCode::Plain(code) => match code.parse::<u32>() {
            Ok(n) => vec![RowCode::Dotted(n, 1), RowCode::Plain((n + 1).to_string())],
            Err(_) => Vec::new(),
        },
    };
    rest.iter()
        .find(|(_, l)| row_code(l).is_some_and(|c| expected.contains(&c)))
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_codes_are_group_and_task_numbers_but_not_years_or_counters() {
        assert_eq!(row_code("1"), Some(RowCode::Plain("1".into())));
        assert_eq!(row_code("II."), Some(RowCode::Plain("II".into())));
        assert_eq!(row_code("3.21"), Some(RowCode::Dotted(3, 21)));
        assert_eq!(row_code("2024"), None);
        assert_eq!(row_code("Hằng năm"), None);
        assert_eq!(row_code("2.5340"), None);
    }
}
