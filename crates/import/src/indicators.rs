//! Indicator appendices (Phụ lục chỉ tiêu) → indicators.
//!
//! The table is read by the same format readers as task tables (Markdown, HTML, CSV, XLSX,
//! DOCX); its header is recognised by its own columns: «STT», «Chỉ tiêu», «Đơn vị (tính)»,
//! «Kết quả / Mục tiêu» or «Chỉ tiêu đến năm 2030», «Năm (mục tiêu)», «Cơ quan chủ trì theo
//! dõi, đánh giá», and optionally «Giá trị cơ sở», «Năm cơ sở» and «Nguồn» / «Chỉ số quốc tế»
//! (the index of a ranking). A header that names the target year ("Chỉ tiêu đến năm 2030")
//! gives it to rows without a year of their own.
//!
//! **Sections by year.** A group row that names a year — "I. Đến năm 2030", "Giai đoạn
//! 2026–2030" (its end year), "Tầm nhìn đến năm 2045", "Mục tiêu đến năm 2025" — sets the target
//! year of the rows under it (a row's own «Năm» cell still wins). The same name (and parent) in
//! another section is another target of the same indicator, one per year; twice in one year's
//! section, or in another unit, is an error. A section that numbers its rows from 1 again gets
//! its new indicators called by the section ("II.2").
//!
//! **Directions** come from the unit and the targets (`Direction::infer`): a direction the rules
//! are not sure of is kept as a guess, `direction_confirmed: false`, with a warning, and no value
//! is judged by it until a person confirms it.
//!
//! Rows numbered "11.1", "11.2" are sub-rows of "11". A row with no target is a heading, and
//! is allowed only when sub-rows follow it; it is kept (with an empty target) so its sub-rows
//! have a parent. Roman-numbered rows and rows without a number are group titles and skipped.
//! Any bad cell — a target that does not parse, a number that is not one, an agency the
//! directory does not know, a duplicate code, a sub-row without its parent — fails the whole
//! file with its row and column: nothing of a bad file is imported.

use chrono::NaiveDate;
use dongbo_domain::indicator::parse_number;
use dongbo_domain::text::fold;
use dongbo_domain::{Direction, Directory, Indicator, Target, YearTarget};
use sha2::{Digest, Sha256};

use crate::assemble::Assembler;
use crate::limits::{Budget, Limits, check_blocks};
use crate::table::{
    Block, ColumnNames, Row, Table, cell_location, header_words, is_dotted, read_packaged,
};
use crate::{Format, ImportError};

/// What [`import_indicators`] made of a file.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedIndicators {
    /// In the order of the table.
    pub indicators: Vec<Indicator>,
    /// The format actually used.
    pub format: Format,
    /// SHA-256 of the bytes, in lower-case hex.
    pub sha256: String,
    /// Things worth a look that did not stop the import.
    pub warnings: Vec<String>,
}

/// What a column of an indicator table holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Code,
    Name,
    Unit,
    Target,
    TargetYear,
    Tracking,
    Baseline,
    BaselineYear,
    Source,
}

/// The column a header cell names, on folded words; the order of the checks matters
/// ("Chỉ tiêu đến năm 2030" is a target, not a name or a year).
fn recognise(text: &str) -> Option<Column> {
    let padded = header_words(text, 60)?;
    let words = padded.trim();
    let has = |phrases: &[&str]| phrases.iter().any(|p| padded.contains(&format!(" {p} ")));
    if matches!(
        words,
        "tt" | "stt" | "so tt" | "so thu tu" | "no" | "ma" | "ma so" | "code"
    ) {
        return Some(Column::Code);
    }
    if has(&["nam co so", "baseline year"]) {
        return Some(Column::BaselineYear);
    }
    if has(&["co so", "hien trang", "baseline"]) {
        return Some(Column::Baseline);
    }
    if has(&["chu tri", "theo doi", "co quan", "tracking", "responsible"]) {
        return Some(Column::Tracking);
    }
    if has(&["nguon", "chi so quoc te", "source", "index"]) {
        return Some(Column::Source);
    }
    if has(&["muc tieu", "ket qua", "target", "den nam", "gia tri"])
        && !matches!(words, "nam muc tieu" | "target year")
    {
        return Some(Column::Target);
    }
    if words == "nam" || has(&["nam muc tieu", "target year", "year", "nam dat"]) {
        return Some(Column::TargetYear);
    }
    if has(&["don vi", "dvt", "unit"]) {
        return Some(Column::Unit);
    }
    if has(&[
        "chi tieu",
        "ten chi tieu",
        "noi dung",
        "indicator",
        "indicators",
        "name",
    ]) {
        return Some(Column::Name);
    }
    None
}

/// A recognised header: which cell holds which column, with the header text.
#[derive(Debug)]
struct Header {
    row: usize,
    columns: Vec<(Column, usize, String)>,
}

impl Header {
    /// A header names at least the indicator and its target.
    fn recognise(row: &Row, index: usize) -> Option<Self> {
        let mut columns: Vec<(Column, usize, String)> = Vec::new();
        for (i, cell) in row.cells.iter().enumerate() {
            if let Some(column) = recognise(&cell.text)
                && !columns.iter().any(|(c, _, _)| *c == column)
            {
                columns.push((column, i, cell.text.clone()));
            }
        }
        let has = |wanted: Column| columns.iter().any(|(c, _, _)| *c == wanted);
        (has(Column::Name) && has(Column::Target)).then_some(Self {
            row: index,
            columns,
        })
    }

    fn text<'r>(&self, row: &'r Row, column: Column) -> &'r str {
        self.columns
            .iter()
            .find(|(c, _, _)| *c == column)
            .and_then(|(_, i, _)| row.cells.get(*i))
            .map_or("", |cell| cell.text.trim())
    }

    /// The target year a header like "Chỉ tiêu đến năm 2030" names.
    fn year_in_target_header(&self) -> Option<i32> {
        let (_, _, text) = self.columns.iter().find(|(c, _, _)| *c == Column::Target)?;
        year_in(text)
    }

    /// "row 7, column D «Mục tiêu»"
    fn locate(&self, row: &Row, column: Column, names: ColumnNames) -> String {
        match self.columns.iter().find(|(c, _, _)| *c == column) {
            Some((_, index, text)) => cell_location(row, *index, text, names),
            None => row.label.clone(),
        }
    }
}

/// A four-digit year from 1900 to 2200 in `text`.
fn year_in(text: &str) -> Option<i32> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter(|d| d.len() == 4)
        .filter_map(|d| d.parse().ok())
        .find(|y| (1900..=2200).contains(y))
}

/// Import the indicator appendix in one file. `as_of` is the date agency names are resolved
/// as of (the program's date). Flattened text and prose are not indicator tables.
pub fn import_indicators(
    bytes: &[u8],
    file_name: &str,
    format: Format,
    directory: &Directory,
    as_of: Option<NaiveDate>,
) -> Result<ImportedIndicators, ImportError> {
    import_indicators_with_limits(
        bytes,
        file_name,
        format,
        directory,
        as_of,
        &Limits::default(),
    )
}

/// [`import_indicators`] within `limits` instead of the defaults.
pub fn import_indicators_with_limits(
    bytes: &[u8],
    file_name: &str,
    format: Format,
    directory: &Directory,
    as_of: Option<NaiveDate>,
    limits: &Limits,
) -> Result<ImportedIndicators, ImportError> {
    let budget = Budget::new(limits, file_name);
    budget.check_file_size(bytes.len() as u64)?;
    let sha256 = hex::encode(Sha256::digest(bytes));
    let format = match format {
        Format::Auto => crate::detect_format(bytes, file_name, limits),
        other => other,
    };
    let file = file_name;
    let text = || crate::decode_text(bytes, file);
    let blocks: Vec<Block> = match format {
        Format::Markdown => crate::markdown::blocks(&text()?, &budget)?,
        Format::Html => crate::html::blocks(&text()?, &budget)?,
        Format::Csv => vec![Block::Table(crate::csv::best_table(
            &text()?,
            &budget,
            |table| find_header(table).map_or(0, |h| h.columns.len()),
        )?)],
        Format::Xlsx => read_packaged(bytes, &budget, "XLSX", crate::xlsx::read_workbook)?,
        Format::Docx => read_packaged(bytes, &budget, "DOCX", crate::docx::read_document)?,
        Format::Auto | Format::FlatText | Format::Prose => {
            return Err(ImportError::NoTable {
                file: file.to_owned(),
                message: "an indicator appendix is read from a table: save it as Markdown, \
                          HTML, CSV, XLSX or DOCX"
                    .to_owned(),
            });
        }
    };
    check_blocks(&blocks, &budget)?;
    let tables = tables(blocks);
    let Some((table, header)) = tables
        .iter()
        .find_map(|table| find_header(table).map(|header| (table, header)))
    else {
        return Err(ImportError::NoTable {
            file: file.to_owned(),
            message: "no table with a recognisable indicator header (expected columns such as \
                      «STT», «Chỉ tiêu», «Đơn vị tính», «Mục tiêu», «Năm», «Cơ quan chủ trì \
                      theo dõi, đánh giá»)"
                .to_owned(),
        });
    };
    let (indicators, warnings) = read_rows(table, &header, &budget, directory, as_of)?;
    Ok(ImportedIndicators {
        indicators,
        format,
        sha256,
        warnings,
    })
}

fn tables(blocks: Vec<Block>) -> Vec<Table> {
    blocks
        .into_iter()
        .filter_map(|block| match block {
            Block::Table(table) => Some(table),
            Block::Lines(_) => None,
        })
        .collect()
}

fn find_header(table: &Table) -> Option<Header> {
    table
        .rows
        .iter()
        .enumerate()
        .find_map(|(i, row)| Header::recognise(row, i))
}

/// A row every filled cell of which names a column: the header again, where a table goes on
/// to the next page.
fn is_repeated_header(row: &Row) -> bool {
    let filled: Vec<&str> = row
        .cells
        .iter()
        .map(|c| c.text.as_str())
        .filter(|t| !t.trim().is_empty())
        .collect();
    filled.len() >= 2
        && filled.iter().all(|t| recognise(t).is_some())
        && Header::recognise(row, 0).is_some()
}

/// "11", "11.1", "3)" → the code; `None` for a group row's Roman number or no number.
fn indicator_code(text: &str) -> Option<String> {
    let code = text.trim().trim_end_matches(['.', ')']).trim();
    let numbered =
        is_dotted(code) || (!code.is_empty() && code.chars().all(|c| c.is_ascii_digit()));
    numbered.then(|| code.to_owned())
}

/// The target year a group row names, when it is a section of the appendix: "I. Đến năm
/// 2030", "Mục tiêu đến năm 2025", "Tầm nhìn đến năm 2045", and the end year of a period,
/// "Giai đoạn 2026–2030" or "từ năm 2026 đến năm 2030". When a row names two targets ("Đến
/// năm 2030, tầm nhìn đến năm 2045"), the first is the section's.
fn year_of_section(text: &str) -> Option<i32> {
    let folded = fold(text);
    let bytes = folded.as_bytes();
    let mut years: Vec<(usize, usize, i32)> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            if i - start == 4
                && let Ok(year) = folded[start..i].parse::<i32>()
                && (1900..=2200).contains(&year)
            {
                years.push((start, i, year));
            }
        } else {
            i += 1;
        }
    }
    let (_, first_end, first) = *years.first()?;
    if let Some(&(second_start, _, second)) = years.get(1) {
        let between = folded[first_end..second_start]
            .replace("den", "")
            .replace("nam", "");
        if between.chars().all(|c| c.is_whitespace() || c == '-') && second >= first {
            return Some(second);
        }
    }
    Some(first)
}

/// Where the rows of an indicator were read: its first row and the row of each target.
struct Read<'t> {
    indicator: Indicator,
    row: &'t Row,
    target_rows: Vec<&'t Row>,
}

fn read_rows(
    table: &Table,
    header: &Header,
    budget: &Budget,
    directory: &Directory,
    as_of: Option<NaiveDate>,
) -> Result<(Vec<Indicator>, Vec<String>), ImportError> {
    let file = budget.file;
    let error = |row: &Row, column: Column, message: String| ImportError::Invalid {
        file: file.to_owned(),
        location: header.locate(row, column, table.columns),
        message,
    };
    let mut assembler = Assembler::new(directory, as_of);
    let default_year = header.year_in_target_header();
    let mut read: Vec<Read> = Vec::new();
    let mut warnings = Vec::new();
    // The section a row is in: its year, and what its codes are qualified with when a later
    // section numbers its rows from 1 again ("II" of "II. Đến năm 2030").
    let mut section_year: Option<i32> = None;
    let mut section_code: Option<String> = None;
    // Whether this section numbers its rows from 1 again (a code of an earlier section came
    // back): then each of its new indicators is called by the section too, "II.2".
    let mut restarted = false;
    // The codes written in this section, and the indicator each stands for.
    let mut in_section: Vec<(String, String, &Row)> = Vec::new();
    // Rows without a target: headings, whose sub-rows must follow.
    let mut headings: Vec<(String, &Row)> = Vec::new();
    for row in &table.rows[header.row + 1..] {
        budget.check_time(|| row.label.clone())?;
        let name = header.text(row, Column::Name);
        let code_text = header.text(row, Column::Code);
        if name.is_empty() && row.cells.iter().all(|c| c.text.trim().is_empty()) {
            continue;
        }
        // A header repeated on the next page, or a row numbering the columns "(1) (2) (3)".
        if is_repeated_header(row)
            || (!name.is_empty()
                && name
                    .trim_matches(['(', ')'])
                    .chars()
                    .all(|c| c.is_ascii_digit()))
        {
            continue;
        }
        let Some(code) = indicator_code(code_text) else {
            // A group title ("I", "A", or no number); one that names a year starts a section.
            let text: Vec<&str> = row
                .cells
                .iter()
                .map(|c| c.text.trim())
                .filter(|t| !t.is_empty())
                .collect();
            if let Some(year) = year_of_section(&text.join(" ")) {
                section_year = Some(year);
                let mark = code_text.trim().trim_end_matches(['.', ')']).trim();
                section_code = (!mark.is_empty()).then(|| mark.to_owned());
                in_section.clear();
                restarted = false;
            }
            continue;
        };
        if name.is_empty() {
            return Err(error(
                row,
                Column::Name,
                format!("indicator {code} has no name"),
            ));
        }
        if let Some((_, _, first)) = in_section.iter().find(|(written, _, _)| *written == code) {
            return Err(error(
                row,
                Column::Code,
                format!(
                    "duplicate indicator code {code} (first used at {})",
                    first.label
                ),
            ));
        }
        let parent = match Indicator::parent_code(&code) {
            Some(written) => match in_section.iter().find(|(w, _, _)| *w == written) {
                Some((_, stands_for, _)) => Some(stands_for.clone()),
                None => {
                    return Err(error(
                        row,
                        Column::Code,
                        format!(
                            "indicator {code} is numbered under {written}, which the table does \
                             not have"
                        ),
                    ));
                }
            },
            None => None,
        };
        let target_text = header.text(row, Column::Target).to_owned();
        // An empty target is a heading's, checked once the sub-rows are known.
        let target = Target::parse_row(&target_text).map_err(|e| {
            error(
                row,
                Column::Target,
                format!("the target «{target_text}» cannot be read: {e}"),
            )
        })?;
        let year = |column: Column| -> Result<Option<i32>, ImportError> {
            let text = header.text(row, column);
            if text.is_empty() {
                return Ok(None);
            }
            year_in(text)
                .map(Some)
                .ok_or_else(|| error(row, column, format!("«{text}» is not a year")))
        };
        let target_year = year(Column::TargetYear)?.or(section_year).or(default_year);
        let year_target = (!target_text.trim().is_empty()).then(|| YearTarget {
            year: target_year,
            text: target_text.clone(),
            target,
        });
        let unit = header.text(row, Column::Unit).to_owned();
        // The same indicator in another section: another target of it, not a second indicator.
        let folded_name = fold(name);
        if let Some(earlier) = read
            .iter_mut()
            .find(|r| fold(&r.indicator.name) == folded_name && r.indicator.parent == parent)
        {
            restarted = restarted || earlier.indicator.code == code;
            let stands_for = earlier.indicator.code.clone();
            if fold(&earlier.indicator.unit) != fold(&unit) && !unit.is_empty() {
                return Err(error(
                    row,
                    Column::Unit,
                    format!(
                        "indicator {stands_for} «{name}» is measured in «{}» at {}, not «{unit}»",
                        earlier.indicator.unit, earlier.row.label
                    ),
                ));
            }
            match year_target {
                Some(year_target) => {
                    if let Some(at) = earlier
                        .indicator
                        .targets
                        .iter()
                        .position(|t| t.year == year_target.year)
                    {
                        let when = year_target
                            .year
                            .map_or_else(|| "without a year".to_owned(), |y| format!("for {y}"));
                        return Err(error(
                            row,
                            Column::Target,
                            format!(
                                "indicator {stands_for} «{name}» already has a target {when} (at \
                                 {}): a name may appear once in each year's section",
                                earlier.target_rows[at].label
                            ),
                        ));
                    }
                    earlier.indicator.targets.push(year_target);
                    earlier.target_rows.push(row);
                }
                None => headings.push((stands_for.clone(), row)),
            }
            in_section.push((code, stands_for, row));
            continue;
        }
        let used = |code: &str| read.iter().any(|r| r.indicator.code == code);
        restarted = restarted || used(&code);
        let stands_for = if !restarted {
            code.clone()
        } else {
            // A later section numbering its rows from 1 again.
            let qualified = section_code.as_ref().map(|section| match &parent {
                Some(parent) => format!("{parent}.{}", code.rsplit('.').next().unwrap_or(&code)),
                None => format!("{section}.{code}"),
            });
            match qualified.filter(|q| !used(q)) {
                Some(qualified) => qualified,
                None => {
                    let first = read
                        .iter()
                        .find(|r| r.indicator.code == code)
                        .map_or_else(String::new, |r| r.row.label.clone());
                    return Err(error(
                        row,
                        Column::Code,
                        format!(
                            "duplicate indicator code {code} (first used at {first}); a section \
                             that numbers its rows from 1 again needs a mark (I, II…) in its \
                             first column to tell them apart"
                        ),
                    ));
                }
            }
        };
        let baseline_year = year(Column::BaselineYear)?;
        let baseline_text = header.text(row, Column::Baseline);
        let baseline = if baseline_text.is_empty() {
            None
        } else {
            Some(
                parse_number(baseline_text.trim_end_matches('%').trim()).ok_or_else(|| {
                    error(
                        row,
                        Column::Baseline,
                        format!("the baseline «{baseline_text}» is not a number"),
                    )
                })?,
            )
        };
        let tracking_text = header.text(row, Column::Tracking).to_owned();
        let tracking_agency = if tracking_text.is_empty() {
            None
        } else {
            let resolution = assembler.agencies(&tracking_text);
            if !resolution.unresolved.is_empty() || resolution.agencies.is_empty() {
                return Err(error(
                    row,
                    Column::Tracking,
                    format!(
                        "no agency in the directory is named «{}»",
                        if resolution.unresolved.is_empty() {
                            tracking_text.clone()
                        } else {
                            resolution.unresolved.join("», «")
                        }
                    ),
                ));
            }
            if resolution.agencies.len() > 1 {
                warnings.push(format!(
                    "{}: indicator {stands_for} names several tracking agencies; {} tracks it",
                    row.label, resolution.agencies[0]
                ));
            }
            resolution.agencies.first().cloned()
        };
        let source = header.text(row, Column::Source).to_owned();
        if year_target.is_none() {
            headings.push((stands_for.clone(), row));
        }
        in_section.push((code, stands_for.clone(), row));
        read.push(Read {
            indicator: Indicator {
                code: stands_for,
                parent,
                name: name.to_owned(),
                unit,
                // Inferred below, from every target of the indicator.
                direction: Direction::Qualitative,
                direction_confirmed: true,
                baseline,
                baseline_year,
                targets: year_target.into_iter().collect(),
                tracking_agency,
                tracking_text,
                source,
            },
            row,
            target_rows: vec![row],
        });
    }
    for (code, row) in &headings {
        let has_children = read
            .iter()
            .any(|r| r.indicator.parent.as_deref() == Some(code.as_str()));
        if !has_children {
            return Err(error(
                row,
                Column::Target,
                format!("indicator {code} has no target"),
            ));
        }
    }
    if read.is_empty() {
        return Err(ImportError::NoTable {
            file: file.to_owned(),
            message: format!(
                "the table whose header is at {} has no indicator rows",
                table.rows[header.row].label
            ),
        });
    }
    let mut indicators = Vec::with_capacity(read.len());
    for Read {
        mut indicator, row, ..
    } in read
    {
        indicator.sort_targets();
        let inferred = Direction::infer(&indicator.name, &indicator.unit, &indicator.targets);
        indicator.direction = inferred.direction;
        indicator.direction_confirmed = inferred.confirmed;
        if !inferred.confirmed {
            warnings.push(format!(
                "{}: indicator {} «{}»: neither the unit «{}» nor the target says whether a \
                 higher or a lower value is better; it is marked for a coordinator to confirm, \
                 and no value is judged until then",
                row.label, indicator.code, indicator.name, indicator.unit
            ));
        }
        indicators.push(indicator);
    }
    Ok((indicators, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indicator_headers_are_recognised() {
        assert_eq!(recognise("STT"), Some(Column::Code));
        assert_eq!(recognise("Chỉ tiêu"), Some(Column::Name));
        assert_eq!(recognise("Đơn vị tính"), Some(Column::Unit));
        assert_eq!(recognise("Đơn vị"), Some(Column::Unit));
        assert_eq!(recognise("Kết quả / Mục tiêu"), Some(Column::Target));
        assert_eq!(recognise("Chỉ tiêu đến năm 2030"), Some(Column::Target));
        assert_eq!(recognise("Năm"), Some(Column::TargetYear));
        assert_eq!(recognise("Năm mục tiêu"), Some(Column::TargetYear));
        assert_eq!(
            recognise("Cơ quan chủ trì theo dõi, đánh giá"),
            Some(Column::Tracking)
        );
        assert_eq!(recognise("Giá trị cơ sở"), Some(Column::Baseline));
        assert_eq!(recognise("Năm cơ sở"), Some(Column::BaselineYear));
        assert_eq!(recognise("Chỉ số quốc tế"), Some(Column::Source));
        assert_eq!(recognise("Nguồn"), Some(Column::Source));
    }
}
