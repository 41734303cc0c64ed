//! The one reader of task tables: rows of cells (from Markdown, HTML, CSV, XLSX or DOCX) →
//! groups and tasks. It finds the header row by its column names, reads group rows (a Roman or
//! Arabic number, or bold, with the other cells empty) and task rows ("1.1", or "1", "2" under a
//! group), and checks what a table must satisfy: every task has a title, task codes are unique
//! and name a group that exists. The lines and rows before the table carry the document's
//! metadata (see [`crate::metadata`]).

use std::collections::HashMap;

use dongbo_domain::text::fold;
use dongbo_domain::{Directory, ImportedProgram, Task, TaskGroup};

use crate::ImportError;
use crate::assemble::{Assembler, TaskFields, review_warnings, roman_value};
use crate::limits::{Budget, check_blocks, check_package};
use crate::metadata::MetaDraft;

/// One cell: its text with white space collapsed (a cell is one line in every format we
/// write), whether it is bold (a group row's mark), and whether a spreadsheet stored it as a
/// number (so "3.10" may have become 3.1).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Cell {
    pub text: String,
    pub bold: bool,
    pub numeric: bool,
}

impl Cell {
    pub(crate) fn new(text: &str) -> Self {
        Self {
            text: text.split_whitespace().collect::<Vec<_>>().join(" "),
            bold: false,
            numeric: false,
        }
    }

    pub(crate) fn bold(mut self, bold: bool) -> Self {
        self.bold = bold;
        self
    }
}

/// One row and where it is in the file ("row 7", "line 12").
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Row {
    pub cells: Vec<Cell>,
    pub label: String,
}

/// How a format names columns in errors: spreadsheets by letter, the others by position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ColumnNames {
    Letters,
    Numbers,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Table {
    pub rows: Vec<Row>,
    pub columns: ColumnNames,
    /// The table's text as lines, used as metadata when it is not the task table (a DOCX
    /// header is a two-column table: issuer and national title).
    pub lines: Vec<String>,
}

/// The parts of a document in order: runs of text lines and tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Block {
    Lines(Vec<String>),
    Table(Table),
}

/// What a column of a task table holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Column {
    /// TT, STT, No.
    Code,
    /// Tên nhiệm vụ, Tên đề án/nhiệm vụ, Nội dung, Task
    Title,
    /// Cơ quan chủ trì, Đơn vị chủ trì, Lead
    Lead,
    /// Cơ quan phối hợp, Đơn vị phối hợp, Coordinating
    Coordinating,
    /// Kết quả / Sản phẩm, Expected output
    Output,
    /// Thời gian thực hiện, Thời hạn, Tiến độ, Deadline
    TimeFrame,
}

/// The column a header cell names, matched on folded words so "Tên đề án/nhiệm vụ",
/// "TÊN NHIỆM VỤ" and "Ten nhiem vu" agree.
pub(crate) fn recognise_column(text: &str) -> Option<Column> {
    let words = header_words(text, 50)?;
    let has = |phrases: &[&str]| phrases.iter().any(|p| words.contains(&format!(" {p} ")));
    if matches!(
        words.trim(),
        "tt" | "stt" | "no" | "so tt" | "so thu tu" | "#" | "ma" | "ma so" | "code" | "ma nhiem vu"
    ) {
        return Some(Column::Code);
    }
    // Order matters: "Cơ quan chủ trì thực hiện nhiệm vụ" is a lead column that mentions tasks.
    if has(&[
        "chu tri",
        "lead",
        "lead agency",
        "lead agencies",
        "responsible",
    ]) {
        return Some(Column::Lead);
    }
    if has(&[
        "phoi hop",
        "coordinating",
        "coordination",
        "coordinating agencies",
        "support",
    ]) {
        return Some(Column::Coordinating);
    }
    if has(&[
        "thoi gian",
        "thoi han",
        "tien do",
        "time frame",
        "timeframe",
        "timeline",
        "deadline",
        "due",
        "schedule",
    ]) {
        return Some(Column::TimeFrame);
    }
    if has(&[
        "ket qua",
        "san pham",
        "output",
        "outputs",
        "expected output",
        "deliverable",
    ]) {
        return Some(Column::Output);
    }
    if has(&[
        "ten", "noi dung", "nhiem vu", "de an", "task", "tasks", "activity", "title",
    ]) {
        return Some(Column::Title);
    }
    None
}

/// A header cell's text as folded words between spaces (" ten nhiem vu "), for matching whole
/// phrases; `None` when empty or longer than `max_chars` (a cell that long is text, not a
/// header).
pub(crate) fn header_words(text: &str, max_chars: usize) -> Option<String> {
    let folded = fold(text);
    if folded.is_empty() || folded.chars().count() > max_chars {
        return None;
    }
    let words: String = folded
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '#' {
                c
            } else {
                ' '
            }
        })
        .collect();
    let words = words.split_whitespace().collect::<Vec<_>>().join(" ");
    (!words.is_empty()).then(|| format!(" {words} "))
}

/// "row 7, column D «Cơ quan chủ trì»": where a cell is, with its column's header text.
pub(crate) fn cell_location(row: &Row, index: usize, header: &str, names: ColumnNames) -> String {
    let name = match names {
        ColumnNames::Letters => column_letters(index),
        ColumnNames::Numbers => (index + 1).to_string(),
    };
    format!("{}, column {name} «{header}»", row.label)
}

/// A recognised header row: which cell holds which column, and the header text as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Header {
    pub row: usize,
    columns: Vec<(Column, usize, String)>,
}

impl Header {
    /// The header of a row, when it names a title column and at least one of lead,
    /// coordinating, output or time frame.
    pub(crate) fn recognise(row: &Row, index: usize) -> Option<Self> {
        let mut columns: Vec<(Column, usize, String)> = Vec::new();
        for (i, cell) in row.cells.iter().enumerate() {
            if let Some(column) = recognise_column(&cell.text)
                && !columns.iter().any(|(c, _, _)| *c == column)
            {
                columns.push((column, i, cell.text.clone()));
            }
        }
        let has = |wanted: Column| columns.iter().any(|(c, _, _)| *c == wanted);
        let others = [
            Column::Lead,
            Column::Coordinating,
            Column::Output,
            Column::TimeFrame,
        ];
        (has(Column::Title) && others.into_iter().any(has)).then_some(Self {
            row: index,
            columns,
        })
    }

    /// How many columns the header names.
    pub(crate) fn width(&self) -> usize {
        self.columns.len()
    }

    fn index(&self, column: Column) -> Option<usize> {
        self.columns
            .iter()
            .find(|(c, _, _)| *c == column)
            .map(|(_, i, _)| *i)
    }

    fn cell<'r>(&self, row: &'r Row, column: Column) -> Option<&'r Cell> {
        self.index(column).and_then(|i| row.cells.get(i))
    }

    fn text<'r>(&self, row: &'r Row, column: Column) -> &'r str {
        self.cell(row, column).map_or("", |c| c.text.as_str())
    }

    /// "row 7, column D «Cơ quan chủ trì»"
    fn locate(&self, row: &Row, column: Column, names: ColumnNames) -> String {
        match self.columns.iter().find(|(c, _, _)| *c == column) {
            Some((_, index, text)) => cell_location(row, *index, text, names),
            None => row.label.clone(),
        }
    }
}

/// A, B, …, Z, AA, AB …
pub(crate) fn column_letters(index: usize) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// Reads a packaged document (`format` is "DOCX" or "XLSX") into blocks with `read`, then
/// imports them. A damaged file gives an [`ImportError::InvalidFile`], never a panic: the
/// parsers are dependencies whose every path we cannot vouch for.
pub(crate) fn import_packaged(
    bytes: &[u8],
    budget: &Budget,
    format: &'static str,
    directory: &Directory,
    read: ReadPackage,
) -> Result<ImportedProgram, ImportError> {
    import_blocks(
        &read_packaged(bytes, budget, format, read)?,
        budget,
        directory,
    )
}

/// A reader of one packaged format: the blocks of the document, or why not — a message for
/// [`ImportError::InvalidFile`], or a limit passed.
pub(crate) type ReadPackage = fn(&[u8], &Budget) -> Result<Vec<Block>, PackageError>;

/// Why a packaged document could not be read.
#[derive(Debug)]
pub(crate) enum PackageError {
    /// The parser's own words on a damaged file.
    Invalid(String),
    /// A limit passed while reading.
    Limit(ImportError),
}

impl From<ImportError> for PackageError {
    fn from(error: ImportError) -> Self {
        Self::Limit(error)
    }
}

/// The blocks of a packaged document (`format` is "DOCX" or "XLSX") as `read` finds them,
/// after the package is checked against the limits ([`crate::limits::check_package`]); a
/// damaged file, or a parser that panics on it, gives an [`ImportError::InvalidFile`].
pub(crate) fn read_packaged(
    bytes: &[u8],
    budget: &Budget,
    format: &'static str,
    read: ReadPackage,
) -> Result<Vec<Block>, ImportError> {
    let invalid = |message: String| ImportError::InvalidFile {
        file: budget.file.to_owned(),
        format,
        message,
    };
    check_package(bytes, budget, format)?;
    match std::panic::catch_unwind(|| read(bytes, budget)) {
        Err(_) => Err(invalid(format!(
            "the {format} file's contents could not be read"
        ))),
        Ok(Err(PackageError::Invalid(message))) => Err(invalid(message)),
        Ok(Err(PackageError::Limit(error))) => Err(error),
        Ok(Ok(blocks)) => Ok(blocks),
    }
}

/// Import the first table of `blocks` with a recognisable header; everything before it is
/// metadata.
pub(crate) fn import_blocks(
    blocks: &[Block],
    budget: &Budget,
    directory: &Directory,
) -> Result<ImportedProgram, ImportError> {
    check_blocks(blocks, budget)?;
    let file = budget.file;
    let mut preamble: Vec<String> = Vec::new();
    for block in blocks {
        let table = match block {
            Block::Lines(lines) => {
                preamble.extend(lines.iter().cloned());
                continue;
            }
            Block::Table(table) => table,
        };
        let Some(header) = table
            .rows
            .iter()
            .enumerate()
            .find_map(|(i, row)| Header::recognise(row, i))
        else {
            preamble.extend(table.lines.iter().cloned());
            continue;
        };
        preamble.extend(table.rows[..header.row].iter().map(row_as_line));
        let lines: Vec<&str> = preamble.iter().map(String::as_str).collect();
        return rows_to_program(table, &header, &lines, budget, directory);
    }
    Err(ImportError::NoTable {
        file: file.to_owned(),
        message: "no table with a recognisable header row (expected columns such as «STT», \
                  «Tên nhiệm vụ», «Cơ quan chủ trì», «Cơ quan phối hợp», «Thời gian thực hiện»)"
            .to_owned(),
    })
}

/// A row before the header as a metadata line: "Số | 47/NQ-CP" reads as "Số: 47/NQ-CP".
fn row_as_line(row: &Row) -> String {
    let cells: Vec<&str> = row
        .cells
        .iter()
        .map(|c| c.text.as_str())
        .filter(|t| !t.is_empty())
        .collect();
    match cells.as_slice() {
        [key, value] if !key.ends_with(':') => format!("{key}: {value}"),
        _ => cells.join(" "),
    }
}

/// The file's stem, for a document whose title nothing else gives.
pub(crate) fn file_stem(file: &str) -> &str {
    let name = file.rsplit(['/', '\\']).next().unwrap_or(file);
    name.rsplit_once('.').map_or(name, |(stem, _)| stem)
}

/// What a row is.
enum RowKind {
    Group,
    Task,
}

/// Rows after `header` → groups and tasks, with the metadata from `preamble`.
pub(crate) fn rows_to_program(
    table: &Table,
    header: &Header,
    preamble: &[&str],
    budget: &Budget,
    directory: &Directory,
) -> Result<ImportedProgram, ImportError> {
    let file = budget.file;
    let mut draft = MetaDraft::read(preamble);
    let mut assembler = Assembler::new(directory, draft.issued_on);
    let mut reader = Reader {
        file,
        header,
        names: table.columns,
        groups: Vec::new(),
        tasks: Vec::new(),
        warnings: Vec::new(),
        task_rows: HashMap::new(),
        current: None,
        roman_groups: false,
        numbered_in_group: Vec::new(),
        parent: None,
    };
    for row in &table.rows[header.row + 1..] {
        budget.check_time(|| row.label.clone())?;
        reader.row(row, &mut assembler)?;
    }
    reader.number_tasks()?;
    if reader.tasks.is_empty() {
        return Err(ImportError::NoTable {
            file: file.to_owned(),
            message: format!(
                "the table whose header is at {} has no task rows",
                table.rows[header.row].label
            ),
        });
    }
    let Reader {
        groups,
        tasks,
        mut warnings,
        ..
    } = reader;
    let titles: Vec<&str> = tasks.iter().map(|t| t.title.as_str()).collect();
    let language = crate::prose::language_of(&titles.join("\n")).unwrap_or_else(|| "vi".into());
    let mut document_warnings = std::mem::take(&mut draft.warnings);
    let document = draft.finish(directory, &mut assembler, file_stem(file), language);
    document_warnings.append(&mut warnings);
    let mut warnings = document_warnings;
    warnings.extend(review_warnings(&tasks));
    Ok(ImportedProgram {
        document,
        groups,
        tasks,
        warnings,
    })
}

struct Reader<'a> {
    file: &'a str,
    header: &'a Header,
    names: ColumnNames,
    groups: Vec<TaskGroup>,
    tasks: Vec<Task>,
    warnings: Vec<String>,
    /// Where each task code was first seen, for the duplicate error.
    task_rows: HashMap<String, String>,
    /// Index of the group the rows are under.
    current: Option<usize>,
    /// Whether the current group is numbered in Roman numerals, so Arabic numbers under it are
    /// tasks ("I", then "1", "2").
    roman_groups: bool,
    /// Tasks numbered by a bare number under a group ("I", then "1", "2"): indexes into
    /// `tasks`, with the number and the row. Whether "5" stays "5" or becomes "2.5" is known
    /// only at the end of the table ([`Reader::number_tasks`]).
    numbered_in_group: Vec<(usize, u32, String)>,
    /// The task the next sub-task row ("a)", "-") belongs to: its code and how many sub-tasks
    /// it has so far.
    parent: Option<(String, u32)>,
}

/// The code a group is called by in task codes: "2" for "2" and for "II".
fn group_number(code: &str) -> Option<u32> {
    roman_value(code).or_else(|| code.parse().ok())
}

/// "1.1", "3.21", "1.2.3": dotted numbers.
pub(crate) fn is_dotted(code: &str) -> bool {
    code.contains('.')
        && code
            .split('.')
            .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_digit()))
}

/// A row every one of whose cells names a column: the header again. (Stricter than
/// [`Header::recognise`], so a task titled "Triển khai nhiệm vụ" led by "Bộ X chủ trì" is not
/// mistaken for a header.)
fn is_repeated_header(row: &Row) -> bool {
    let filled: Vec<&Cell> = row.cells.iter().filter(|c| !c.text.is_empty()).collect();
    filled.len() >= 2
        && filled.iter().all(|c| recognise_column(&c.text).is_some())
        && Header::recognise(row, 0).is_some()
}

/// "P1", "A12": letters then digits — a task code (a draft's), never a group's.
fn is_lettered_number(code: &str) -> bool {
    let digits = code.trim_start_matches(|c: char| c.is_alphabetic());
    digits.len() < code.len() && !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
}

/// The mark of a sub-task row under a task: a lower-case letter ("a", from "a)", "a.",
/// "(a)") or a bullet ("-", "+", "•", "–").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SubMark {
    Letter(char),
    Bullet,
}

fn sub_mark(raw: &str) -> Option<SubMark> {
    let mark = raw
        .trim()
        .trim_start_matches('(')
        .trim_end_matches([')', '.'])
        .trim();
    let mut chars = mark.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) if c.is_lowercase() => Some(SubMark::Letter(c)),
        (Some('-' | '+' | '•' | '–' | '—' | '*'), None) => Some(SubMark::Bullet),
        _ => None,
    }
}

/// "2.1.a": a dotted task number with a letter after it, a sub-task written with its parent.
fn dotted_sub_task(code: &str) -> Option<&str> {
    let (parent, letter) = code.rsplit_once('.')?;
    let mut chars = letter.chars();
    (is_dotted(parent) || parent.chars().all(|c| c.is_ascii_digit()) && !parent.is_empty())
        .then_some(())?;
    matches!((chars.next(), chars.next()), (Some(c), None) if c.is_lowercase()).then_some(parent)
}

/// A sub-task's code split after its parent's: "2.1.a" → ("2.1", ".a"), "2.1-2" → ("2.1",
/// "-2").
fn split_sub_code(code: &str) -> Option<(&str, &str)> {
    if let Some(parent) = dotted_sub_task(code) {
        return Some((parent, &code[parent.len()..]));
    }
    let (parent, n) = code.rsplit_once('-')?;
    (!parent.is_empty() && !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
        .then(|| (parent, &code[parent.len()..]))
}

/// A row that numbers the columns ("(1) (2) (3)" or "1 2 3") under the header.
fn is_column_numbering(title: &str) -> bool {
    let inner = title.trim().trim_start_matches('(').trim_end_matches(')');
    !inner.is_empty() && inner.chars().all(|c| c.is_ascii_digit())
}

impl Reader<'_> {
    fn error(&self, row: &Row, column: Column, message: String) -> ImportError {
        ImportError::Invalid {
            file: self.file.to_owned(),
            location: self.header.locate(row, column, self.names),
            message,
        }
    }

    fn row(&mut self, row: &Row, assembler: &mut Assembler) -> Result<(), ImportError> {
        if row.cells.iter().all(|c| c.text.is_empty()) {
            return Ok(());
        }
        let header = self.header;
        if is_repeated_header(row) {
            // A header repeated where a table continues on the next page.
            return Ok(());
        }
        let code_raw = header.text(row, Column::Code);
        let code = code_raw
            .trim()
            .trim_end_matches(['.', ')'])
            .trim()
            .to_owned();
        let title = header.text(row, Column::Title);
        if is_column_numbering(title) {
            return Ok(());
        }
        let lead = header.text(row, Column::Lead);
        let coordinating = header.text(row, Column::Coordinating);
        let output = header.text(row, Column::Output);
        let time = header.text(row, Column::TimeFrame);
        let others_empty = [lead, coordinating, output, time]
            .iter()
            .all(|t| t.is_empty());
        let bold = row
            .cells
            .iter()
            .filter(|c| !c.text.is_empty())
            .all(|c| c.bold);
        let sub = self.parent.as_ref().and(sub_mark(code_raw));
        let kind = if sub.is_some() {
            RowKind::Task
        } else if roman_value(&code).is_some() {
            RowKind::Group
        } else if is_dotted(&code) || split_sub_code(&code).is_some() {
            RowKind::Task
        } else if !code.is_empty() && code.chars().all(|c| c.is_ascii_digit()) {
            if others_empty && (!self.roman_groups || bold) {
                RowKind::Group
            } else {
                RowKind::Task
            }
        } else if others_empty && !is_lettered_number(&code) {
            RowKind::Group
        } else {
            RowKind::Task
        };
        match kind {
            RowKind::Group => self.group(row, code, title),
            RowKind::Task => {
                let (code, group) = match sub {
                    Some(mark) => self.sub_task_code(mark),
                    None => self.task_code(row, code)?,
                };
                let is_sub = sub.is_some() || split_sub_code(&code).is_some();
                if title.is_empty() {
                    return Err(self.error(
                        row,
                        Column::Title,
                        format!("task {code} has no title"),
                    ));
                }
                if let Some(first) = self.task_rows.get(&code) {
                    return Err(self.error(
                        row,
                        Column::Code,
                        format!("duplicate task code {code} (first used at {first})"),
                    ));
                }
                self.task_rows.insert(code.clone(), row.label.clone());
                if !is_sub {
                    self.parent = Some((code.clone(), 0));
                }
                let task = assembler.task(TaskFields {
                    code,
                    group,
                    title,
                    lead,
                    coordinating,
                    expected_output: output,
                    time_frame: time,
                    source: row.label.clone(),
                });
                self.tasks.push(task);
                Ok(())
            }
        }
    }

    fn group(&mut self, row: &Row, code: String, title: &str) -> Result<(), ImportError> {
        if title.is_empty() {
            return Err(self.error(row, Column::Title, format!("group {code} has no title")));
        }
        let code = if code.is_empty() {
            (self.groups.len() + 1).to_string()
        } else {
            code
        };
        if self.groups.iter().any(|g| g.code == code) {
            return Err(self.error(row, Column::Code, format!("duplicate group code {code}")));
        }
        self.roman_groups = roman_value(&code).is_some();
        self.parent = None;
        self.groups.push(TaskGroup {
            code,
            title: title.to_owned(),
        });
        self.current = Some(self.groups.len() - 1);
        Ok(())
    }

    /// The task's code and its group's code.
    fn task_code(&mut self, row: &Row, code: String) -> Result<(String, String), ImportError> {
        if is_dotted(&code) {
            let prefix = code.split('.').next().unwrap_or_default();
            let group = self
                .groups
                .iter()
                .find(|g| g.code == prefix)
                .or_else(|| {
                    let wanted: u32 = prefix.parse().ok()?;
                    self.groups
                        .iter()
                        .find(|g| group_number(&g.code) == Some(wanted))
                })
                .map(|g| g.code.clone())
                .ok_or_else(|| {
                    self.error(
                        row,
                        Column::Code,
                        format!("task code {code}: its group {prefix} does not exist"),
                    )
                })?;
            let code = self.restore_trailing_zero(row, code, &group);
            return Ok((code, group));
        }
        let Some(group_index) = self.current else {
            // Tasks before any group row belong to no group, and their codes stay as written
            // (a flat list numbered 1, 2, 3).
            let number = if code.is_empty() {
                self.unnumbered(row, "")
            } else {
                code
            };
            return Ok((number, String::new()));
        };
        let group = self.groups[group_index].code.clone();
        let number = if code.is_empty() {
            self.unnumbered(row, &group)
        } else {
            code
        };
        match number.parse::<u32>() {
            Ok(n) if number.chars().all(|c| c.is_ascii_digit()) => {
                // Numbered under a group: whether the numbering runs straight through the
                // table or starts again in each group is known at its end.
                self.numbered_in_group
                    .push((self.tasks.len(), n, row.label.clone()));
                let prefix = group_number(&group).unwrap_or(group_index as u32 + 1);
                Ok((format!("{prefix}.{number}"), group))
            }
            _ => Ok((number, group)),
        }
    }

    /// The number given to a task row without one, with a warning.
    fn unnumbered(&mut self, row: &Row, group: &str) -> String {
        let n = self.tasks.iter().filter(|t| t.group == group).count() + 1;
        self.warnings.push(format!(
            "{}: a task without a number was numbered {n}",
            row.label
        ));
        n.to_string()
    }

    /// A sub-task's code: its parent's and its letter ("2.1.a"), or for a bullet its place
    /// among the parent's sub-tasks ("2.1-2"), since the document gives it no number.
    fn sub_task_code(&mut self, mark: SubMark) -> (String, String) {
        let group = self
            .tasks
            .last()
            .map(|t| t.group.clone())
            .unwrap_or_default();
        let Some((parent, count)) = self.parent.as_mut() else {
            return (String::new(), group);
        };
        *count += 1;
        let code = match mark {
            SubMark::Letter(letter) => format!("{parent}.{letter}"),
            SubMark::Bullet => format!("{parent}-{count}"),
        };
        (code, group)
    }

    /// Tasks numbered under their groups keep the document's numbers when the numbering runs
    /// straight through the table ("I", "1", "2", "II", "3"): their group is a field of its
    /// own. When it starts again in each group ("I", "1", "II", "1"), a bare number would not
    /// name one task, so the group's number stays in front ("2.1"), as documents cite them.
    fn number_tasks(&mut self) -> Result<(), ImportError> {
        let mut seen: HashMap<u32, &str> = HashMap::new();
        let straight = self
            .numbered_in_group
            .iter()
            .all(|(_, n, label)| seen.insert(*n, label).is_none());
        // A table that numbers some tasks "2.1" numbers all of them within their groups.
        let any_dotted = self.tasks.iter().enumerate().any(|(i, t)| {
            is_dotted(&t.code) && !self.numbered_in_group.iter().any(|(at, _, _)| *at == i)
        });
        let plain_codes_clash = self.numbered_in_group.iter().any(|(_, n, _)| {
            let code = n.to_string();
            self.task_rows.contains_key(&code)
        });
        if !straight || any_dotted || plain_codes_clash {
            return Ok(());
        }
        let renamed: HashMap<String, String> = self
            .numbered_in_group
            .iter()
            .map(|&(index, n, _)| (self.tasks[index].code.clone(), n.to_string()))
            .collect();
        for task in &mut self.tasks {
            if let Some(code) = renamed.get(&task.code) {
                task.code.clone_from(code);
            } else if let Some((parent, rest)) = split_sub_code(&task.code)
                && let Some(code) = renamed.get(parent)
            {
                task.code = format!("{code}{rest}");
            }
        }
        Ok(())
    }

    /// A spreadsheet that stored "3.10" as a number gives back 3.1: when the code is numeric
    /// and the previous task of its group was 3.9, it was 3.10.
    fn restore_trailing_zero(&self, row: &Row, code: String, group: &str) -> String {
        let numeric = self
            .header
            .cell(row, Column::Code)
            .is_some_and(|c| c.numeric);
        if !numeric {
            return code;
        }
        let last = self
            .tasks
            .iter()
            .rev()
            .find(|t| t.group == group)
            .and_then(|t| t.code.rsplit('.').next()?.parse::<u32>().ok());
        let Some((prefix, number)) = code.rsplit_once('.') else {
            return code;
        };
        match (last, number.parse::<u32>()) {
            (Some(last), Ok(n)) if n * 10 == last + 1 => format!("{prefix}.{number}0"),
            _ => code,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_cells_are_recognised_whatever_their_case_and_diacritics() {
        assert_eq!(recognise_column("STT"), Some(Column::Code));
        assert_eq!(recognise_column("TT"), Some(Column::Code));
        assert_eq!(recognise_column("No."), Some(Column::Code));
        assert_eq!(recognise_column("Tên đề án/nhiệm vụ"), Some(Column::Title));
        assert_eq!(recognise_column("TEN NHIEM VU"), Some(Column::Title));
        assert_eq!(recognise_column("Nội dung"), Some(Column::Title));
        assert_eq!(recognise_column("Đơn vị chủ trì"), Some(Column::Lead));
        assert_eq!(
            recognise_column("Cơ quan phối hợp"),
            Some(Column::Coordinating)
        );
        assert_eq!(recognise_column("Kết quả / Sản phẩm"), Some(Column::Output));
        assert_eq!(
            recognise_column("Thời hạn hoàn thành"),
            Some(Column::TimeFrame)
        );
        assert_eq!(recognise_column("Tiến độ"), Some(Column::TimeFrame));
        assert_eq!(recognise_column("Deadline"), Some(Column::TimeFrame));
        assert_eq!(recognise_column("Bộ Ngoại giao"), None);
    }

    #[test]
    fn spreadsheet_columns_are_lettered() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(3), "D");
        assert_eq!(column_letters(26), "AA");
    }
}
