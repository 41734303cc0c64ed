//! The document model: an official document as Decree 30/2020/NĐ-CP lays it out (Appendix I),
//! as plain serde data, and the texts every rendering shares (the number line, the place and
//! date line, the signature block, cell texts), so DOCX, PDF and [`plain_text`] never differ.
//!
//! Text is kept as the caller wrote it (callers NFC-normalise user text at their boundary, see
//! `dongbo_domain::text`); the lines Decree 30 sets in capitals (the agencies, the signature's
//! authority and position) are upper-cased here, so callers may pass them in any case.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::PublishError;

/// Quốc hiệu — the national title, first line of the right column of the header block.
pub const NATIONAL_TITLE: &str = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM";
/// Tiêu ngữ — the motto under the national title.
pub const MOTTO: &str = "Độc lập - Tự do - Hạnh phúc";
/// The label of the recipients' list, left of the signature.
pub const RECIPIENTS_LABEL: &str = "Nơi nhận:";

/// An official document: header block, kind and title, body, recipients, signature, annexes.
///
/// Stored as JSON it reads back equal, numbers included (this crate turns on serde_json's
/// `float_roundtrip`), and so renders to the same bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OfficialDocument {
    /// Cơ quan ban hành — who issues it (left column of the header block).
    pub issuer: Issuer,
    /// Số, ký hiệu — the number and symbol without the "Số: " prefix, e.g. "123/BC-BVHTTDL";
    /// a draft leaves the number blank: "     /BC-BVHTTDL".
    pub number: String,
    /// Địa danh — the place of the place and date line, e.g. "Hà Nội".
    pub place: String,
    /// Ngày ban hành — shown as "Hà Nội, ngày 05 tháng 12 năm 2026" ([`Self::place_date_line`]).
    pub date: NaiveDate,
    /// Tên loại văn bản — the kind, e.g. "BÁO CÁO" (upper-cased when shown).
    pub kind: String,
    /// Trích yếu — what the document is about, shown bold under the kind.
    pub title: String,
    /// Nội dung — the body, in order.
    pub body: Vec<Block>,
    /// Nơi nhận — the recipients, one entry each, e.g. "Thủ tướng Chính phủ (để b/c);" or
    /// "Lưu: VT, KHTC." (shown after "- ").
    pub recipients: Vec<String>,
    /// Chữ ký — who signs and in whose name.
    pub signature: Signature,
    /// Phụ lục — annexes, each on pages of its own (one XLSX sheet per annex table).
    pub annexes: Vec<Annex>,
}

/// The issuing agency and the agency above it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issuer {
    /// Cơ quan chủ quản — the agency above the issuer, if the format shows one (none for a
    /// ministry or a provincial People's Committee).
    pub superior: Option<String>,
    /// The issuer's full name, e.g. "BỘ VĂN HÓA, THỂ THAO VÀ DU LỊCH" (commas stay in the name).
    pub name: String,
    /// The abbreviation used in numbers, e.g. "BVHTTDL".
    pub abbreviation: String,
}

impl Issuer {
    /// The left column's agency lines, upper-cased: the superior agency if any, then the issuer.
    pub fn lines(&self) -> (Option<String>, String) {
        (
            self.superior.as_deref().map(str::to_uppercase),
            self.name.to_uppercase(),
        )
    }
}

/// A block of the body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Block {
    /// A heading; `text` carries its own numbering ("I. TỔNG QUAN", "1. Kết quả…"). Level 1 is
    /// bold, 2 bold italic, 3 and deeper italic.
    Heading { level: u8, text: String },
    /// A paragraph of running text.
    Paragraph(String),
    /// A bulleted line (shown after "- ", the usual dash of Vietnamese documents).
    Bullet(String),
    /// A table within the body.
    Table(Table),
}

/// Who signs, and with which authority (thẩm quyền ký, Decree 30 Art. 13).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signature {
    /// The authority word before [`Self::on_behalf_of`]; none when the head signs as the head.
    pub authority: Option<Authority>,
    /// The collective or the head in whose name the signer signs: "CHÍNH PHỦ", "ỦY BAN NHÂN
    /// DÂN", "BỘ TRƯỞNG". Unused without an authority.
    pub on_behalf_of: String,
    /// The signer's own position: "THỨ TRƯỞNG", "CHỦ TỊCH", "CHÁNH VĂN PHÒNG"; with no
    /// authority, the head's position ("BỘ TRƯỞNG").
    pub position: String,
    /// The signer's full name, shown bold under the space left for the signature and seal.
    pub name: String,
}

/// The authority words of Decree 30 Art. 13 (Appendix I, part II).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Authority {
    /// "TM." — thay mặt: on behalf of a collective (the Government, a People's Committee).
    Tm,
    /// "KT." — ký thay: a deputy signs for the head.
    Kt,
    /// "TL." — thừa lệnh: by order of the head.
    Tl,
    /// "Q." — quyền: the acting head signs as the head.
    Q,
    /// "TUQ." — thừa ủy quyền: by the head's delegation.
    Tuq,
}

impl Authority {
    /// The abbreviation as printed, with its full stop.
    pub fn abbreviation(self) -> &'static str {
        match self {
            Self::Tm => "TM.",
            Self::Kt => "KT.",
            Self::Tl => "TL.",
            Self::Q => "Q.",
            Self::Tuq => "TUQ.",
        }
    }
}

impl Signature {
    /// The lines above the signature space, upper-cased, as Decree 30 Appendix I shows them:
    /// - no authority: the position ("BỘ TRƯỞNG");
    /// - TM., KT., TL., TUQ.: the authority and in whose name ("KT. BỘ TRƯỞNG"), then the
    ///   signer's position ("THỨ TRƯỞNG");
    /// - Q.: only "Q. BỘ TRƯỞNG" — the acting head signs in the head's title.
    ///
    /// The name follows after the space for the signature and seal.
    pub fn title_lines(&self) -> Vec<String> {
        let position = self.position.trim().to_uppercase();
        let Some(authority) = self.authority else {
            return vec![position];
        };
        let first = format!(
            "{} {}",
            authority.abbreviation(),
            self.on_behalf_of.trim().to_uppercase()
        );
        if authority == Authority::Q || position.is_empty() {
            vec![first]
        } else {
            vec![first, position]
        }
    }
}

/// An annex (phụ lục): a title, the line tying it to the document, and its tables.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Annex {
    /// E.g. "Phụ lục I. TÌNH HÌNH THỰC HIỆN NHIỆM VỤ THEO CƠ QUAN".
    pub title: String,
    /// The line under the title, when the document words it itself ("(Kèm theo Báo cáo số …
    /// của Bộ …)"); none: [`OfficialDocument::annex_note`]. Shown once, under the title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// A detail annex (every agency on every task): always a sheet of the XLSX, but left out of
    /// the printed DOCX and PDF, which a leader reads, unless the document is printed in
    /// detail ([`OfficialDocument::printed`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub detail: bool,
    pub tables: Vec<Table>,
}

/// Annex tables whose width hints add up past this many characters get landscape pages.
const LANDSCAPE_FROM_CHARACTERS: f64 = 90.0;

impl Annex {
    /// An annex of `tables` under `title`, with the document's own note, always printed.
    pub fn new(title: impl Into<String>, tables: Vec<Table>) -> Self {
        Self {
            title: title.into(),
            note: None,
            detail: false,
            tables,
        }
    }

    /// The numbering part of the title, as a sheet or a reference names the annex: "Phụ lục
    /// II" of "Phụ lục II. TỔNG HỢP…" (the title before its first full stop or colon); the
    /// whole title when it has none.
    pub fn label(&self) -> &str {
        let title = self.title.trim();
        title
            .split_once(['.', ':'])
            .map_or(title, |(label, _)| label.trim_end())
    }

    /// Whether a table is too wide for a portrait page, so the annex gets landscape pages.
    pub fn is_wide(&self) -> bool {
        self.tables.iter().any(|table| {
            table
                .columns
                .iter()
                .map(Column::width_or_default)
                .sum::<f64>()
                > LANDSCAPE_FROM_CHARACTERS
        })
    }
}

/// A table: columns with their kind, and rows of cells, one per column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    /// Shown above the table (and as the XLSX sheet's name, shortened).
    pub title: Option<String>,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

/// A table column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Column {
    pub header: String,
    /// What its cells hold: how they align and which XLSX type and format they get.
    pub kind: ColumnKind,
    /// A width hint in characters (Excel's unit); DOCX and PDF share the page width among the
    /// columns in proportion to it. None: a width from the kind and the header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<f64>,
}

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ColumnKind {
    Text,
    Integer,
    Decimal,
    Percent,
    Date,
}

/// How a column's cells sit in DOCX and PDF: text left, numbers right, dates centred.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Align {
    Left,
    Center,
    Right,
}

impl ColumnKind {
    pub fn align(self) -> Align {
        match self {
            Self::Text => Align::Left,
            Self::Integer | Self::Decimal | Self::Percent => Align::Right,
            Self::Date => Align::Center,
        }
    }
}

impl Column {
    /// A column of `kind` with no width hint.
    pub fn new(header: impl Into<String>, kind: ColumnKind) -> Self {
        Self {
            header: header.into(),
            kind,
            width: None,
        }
    }

    /// The width hint, or one from the kind and the header's longest word.
    pub fn width_or_default(&self) -> f64 {
        if let Some(width) = self.width {
            return width;
        }
        let longest_word = self
            .header
            .split_whitespace()
            .map(|word| word.chars().count())
            .max()
            .unwrap_or(0) as f64;
        let by_kind: f64 = match self.kind {
            ColumnKind::Text => 24.0,
            ColumnKind::Integer => 8.0,
            ColumnKind::Decimal | ColumnKind::Percent => 10.0,
            ColumnKind::Date => 12.0,
        };
        by_kind.max(longest_word + 2.0)
    }
}

/// A table cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Cell {
    Text(String),
    Integer(i64),
    Decimal(f64),
    /// A percentage on the 0–100 scale, as people write it: `Percent(85.5)` is "85,5%"
    /// (XLSX stores 0.855 with a % format).
    Percent(f64),
    Date(NaiveDate),
    Empty,
}

impl Cell {
    /// The cell as Vietnamese documents print it: thousands separated by ".", a decimal comma,
    /// at most two decimals ("1.234", "0,75", "85,5%"), dates as dd/mm/yyyy.
    pub fn display(&self) -> String {
        match self {
            Self::Text(text) => text.clone(),
            Self::Integer(value) => group_thousands(*value),
            Self::Decimal(value) => decimal(*value),
            Self::Percent(value) => format!("{}%", decimal(*value)),
            Self::Date(date) => date.format("%d/%m/%Y").to_string(),
            Self::Empty => String::new(),
        }
    }

    /// Whether the cell holds a number (an integer, a decimal or a percentage).
    pub fn is_numeric(&self) -> bool {
        matches!(self, Self::Integer(_) | Self::Decimal(_) | Self::Percent(_))
    }
}

/// "1234567" → "1.234.567".
fn group_thousands(value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if value < 0 {
        grouped.push('-');
    }
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(digit);
    }
    grouped
}

/// At most two decimals, trailing zeros dropped, integer part grouped, decimal comma.
fn decimal(value: f64) -> String {
    if !value.is_finite() {
        return value.to_string();
    }
    let rounded = format!("{:.2}", value.abs());
    let (whole, fraction) = rounded.split_once('.').unwrap_or((&rounded, ""));
    let fraction = fraction.trim_end_matches('0');
    let whole: i64 = whole.parse().unwrap_or(0);
    let sign = if value < 0.0 && (whole != 0 || !fraction.is_empty()) {
        "-"
    } else {
        ""
    };
    if fraction.is_empty() {
        format!("{sign}{}", group_thousands(whole))
    } else {
        format!("{sign}{},{fraction}", group_thousands(whole))
    }
}

impl Table {
    /// Every row has one cell per column, and there is at least one column. `place` names the
    /// table in the error when it has no title.
    pub fn validate(&self, place: &str) -> Result<(), PublishError> {
        let name = || self.title.clone().unwrap_or_else(|| place.to_owned());
        if self.columns.is_empty() {
            return Err(PublishError::NoColumns { table: name() });
        }
        for (index, row) in self.rows.iter().enumerate() {
            if row.len() != self.columns.len() {
                return Err(PublishError::RowLength {
                    table: name(),
                    row: index + 1,
                    expected: self.columns.len(),
                    found: row.len(),
                });
            }
        }
        Ok(())
    }
}

impl OfficialDocument {
    /// Checks every table of the body and the annexes; renderers call it first.
    pub fn validate(&self) -> Result<(), PublishError> {
        let mut body_tables = 0;
        for block in &self.body {
            if let Block::Table(table) = block {
                body_tables += 1;
                table.validate(&format!("body, table {body_tables}"))?;
            }
        }
        for (annex_index, annex) in self.annexes.iter().enumerate() {
            for (table_index, table) in annex.tables.iter().enumerate() {
                table.validate(&format!(
                    "annex {}, table {}",
                    annex_index + 1,
                    table_index + 1
                ))?;
            }
        }
        Ok(())
    }

    /// "Số: 123/BC-BVHTTDL".
    pub fn number_line(&self) -> String {
        format!("Số: {}", self.number)
    }

    /// "Hà Nội, ngày 05 tháng 12 năm 2026": Decree 30 writes days below 10 and the months
    /// January and February with a leading zero ("ngày 05 tháng 02", but "tháng 3").
    pub fn place_date_line(&self) -> String {
        let month = self.date.month();
        let month = if month < 3 {
            format!("{month:02}")
        } else {
            month.to_string()
        };
        format!(
            "{}, ngày {:02} tháng {month} năm {}",
            self.place.trim(),
            self.date.day(),
            self.date.year()
        )
    }

    /// The document as DOCX and PDF print it: without its detail annexes, or with them when
    /// `detailed` (the detailed print of a national report).
    pub fn printed(&self, detailed: bool) -> std::borrow::Cow<'_, Self> {
        if detailed || !self.annexes.iter().any(|annex| annex.detail) {
            return std::borrow::Cow::Borrowed(self);
        }
        let mut printed = self.clone();
        printed.annexes.retain(|annex| !annex.detail);
        std::borrow::Cow::Owned(printed)
    }

    /// The line under `annex`'s title: its own note, else [`Self::annex_note`].
    pub fn note_of(&self, annex: &Annex) -> String {
        annex.note.clone().unwrap_or_else(|| self.annex_note())
    }

    /// The line under an annex's title tying it to the document: "(Kèm theo Báo cáo số
    /// 123/BC-BVHTTDL ngày 05/12/2026)".
    pub fn annex_note(&self) -> String {
        let kind = self.kind.trim().to_lowercase();
        let mut letters = kind.chars();
        let kind: String = match letters.next() {
            Some(first) => first.to_uppercase().chain(letters).collect(),
            None => String::new(),
        };
        // A draft's blank number keeps its blank: "số      /BC-BVHTTDL".
        format!(
            "(Kèm theo {kind} số {} ngày {})",
            self.number.trim_end(),
            self.date.format("%d/%m/%Y")
        )
    }

    /// Every table of the document, in reading order: the body's, then each annex's.
    pub fn tables(&self) -> impl Iterator<Item = &Table> {
        self.body
            .iter()
            .filter_map(|block| match block {
                Block::Table(table) => Some(table),
                _ => None,
            })
            .chain(self.annexes.iter().flat_map(|annex| annex.tables.iter()))
    }
}

/// The document as reading text: the header block (left column, then right), the number, the
/// place and date, the kind and title, the body, the recipients, the signature and the annexes
/// with their tables as tab-separated rows. Used for snapshots and as a searchable text.
pub fn plain_text(document: &OfficialDocument) -> String {
    let mut out = String::new();
    let mut line = |text: &str| {
        out.push_str(text);
        out.push('\n');
    };
    let (superior, issuer) = document.issuer.lines();
    if let Some(superior) = &superior {
        line(superior);
    }
    line(&issuer);
    line(&document.number_line());
    line(NATIONAL_TITLE);
    line(MOTTO);
    line(&document.place_date_line());
    line("");
    line(&document.kind.to_uppercase());
    line(&document.title);
    line("");
    for block in &document.body {
        match block {
            Block::Heading { text, .. } | Block::Paragraph(text) => line(text),
            Block::Bullet(text) => line(&format!("- {text}")),
            Block::Table(table) => table_text(table, &mut line),
        }
    }
    line("");
    line(RECIPIENTS_LABEL);
    for recipient in &document.recipients {
        line(&format!("- {recipient}"));
    }
    line("");
    for title in document.signature.title_lines() {
        line(&title);
    }
    line(&document.signature.name);
    for annex in &document.annexes {
        line("");
        line(&annex.title);
        line(&document.note_of(annex));
        for table in &annex.tables {
            table_text(table, &mut line);
        }
    }
    out
}

fn table_text(table: &Table, line: &mut impl FnMut(&str)) {
    if let Some(title) = &table.title {
        line(title);
    }
    let headers: Vec<&str> = table.columns.iter().map(|c| c.header.as_str()).collect();
    line(&headers.join("\t"));
    for row in &table.rows {
        let cells: Vec<String> = row.iter().map(Cell::display).collect();
        line(&cells.join("\t"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signature(authority: Option<Authority>, on_behalf_of: &str, position: &str) -> Signature {
        Signature {
            authority,
            on_behalf_of: on_behalf_of.into(),
            position: position.into(),
            name: "Nguyễn Văn A".into(),
        }
    }

    #[test]
    fn head_signing_as_head_shows_only_the_position() {
        let lines = signature(None, "", "Bộ trưởng").title_lines();
        assert_eq!(lines, ["BỘ TRƯỞNG"]);
    }

    #[test]
    fn tm_signs_on_behalf_of_the_collective_then_the_position() {
        let lines = signature(Some(Authority::Tm), "Ủy ban nhân dân", "Chủ tịch").title_lines();
        assert_eq!(lines, ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]);
    }

    #[test]
    fn kt_shows_the_head_then_the_deputy() {
        let lines = signature(Some(Authority::Kt), "BỘ TRƯỞNG", "THỨ TRƯỞNG").title_lines();
        assert_eq!(lines, ["KT. BỘ TRƯỞNG", "THỨ TRƯỞNG"]);
    }

    #[test]
    fn tl_shows_the_head_then_the_signer_by_order() {
        let lines = signature(
            Some(Authority::Tl),
            "BỘ TRƯỞNG",
            "VỤ TRƯỞNG VỤ KẾ HOẠCH - TÀI CHÍNH",
        )
        .title_lines();
        assert_eq!(
            lines,
            ["TL. BỘ TRƯỞNG", "VỤ TRƯỞNG VỤ KẾ HOẠCH - TÀI CHÍNH"]
        );
    }

    #[test]
    fn q_signs_in_the_heads_title_without_a_position_line() {
        let lines = signature(Some(Authority::Q), "BỘ TRƯỞNG", "THỨ TRƯỞNG").title_lines();
        assert_eq!(lines, ["Q. BỘ TRƯỞNG"]);
    }

    #[test]
    fn tuq_shows_the_head_then_the_delegate() {
        let lines = signature(Some(Authority::Tuq), "BỘ TRƯỞNG", "CHÁNH VĂN PHÒNG").title_lines();
        assert_eq!(lines, ["TUQ. BỘ TRƯỞNG", "CHÁNH VĂN PHÒNG"]);
    }

    fn document_dated(date: NaiveDate) -> OfficialDocument {
        OfficialDocument {
            issuer: Issuer {
                superior: None,
                name: "Bộ Văn hóa, Thể thao và Du lịch".into(),
                abbreviation: "BVHTTDL".into(),
            },
            number: "123/BC-BVHTTDL".into(),
            place: "Hà Nội".into(),
            date,
            kind: "Báo cáo".into(),
            title: "Tình hình thực hiện".into(),
            body: vec![],
            recipients: vec![],
            signature: signature(None, "", "BỘ TRƯỞNG"),
            annexes: vec![],
        }
    }

    fn date(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).expect("a valid date")
    }

    #[test]
    fn date_line_pads_days_below_ten_and_january_february() {
        let line = |d| document_dated(d).place_date_line();
        assert_eq!(line(date(2026, 12, 5)), "Hà Nội, ngày 05 tháng 12 năm 2026");
        assert_eq!(line(date(2026, 1, 15)), "Hà Nội, ngày 15 tháng 01 năm 2026");
        assert_eq!(line(date(2026, 2, 9)), "Hà Nội, ngày 09 tháng 02 năm 2026");
        assert_eq!(line(date(2026, 3, 10)), "Hà Nội, ngày 10 tháng 3 năm 2026");
    }

    #[test]
    fn issuer_lines_keep_the_comma_inside_the_name_and_upper_case_it() {
        let document = document_dated(date(2026, 3, 10));
        assert_eq!(
            document.issuer.lines(),
            (None, "BỘ VĂN HÓA, THỂ THAO VÀ DU LỊCH".to_owned())
        );
        assert_eq!(document.number_line(), "Số: 123/BC-BVHTTDL");
        assert_eq!(
            document.annex_note(),
            "(Kèm theo Báo cáo số 123/BC-BVHTTDL ngày 10/03/2026)"
        );
    }

    #[test]
    fn cells_print_the_vietnamese_way() {
        assert_eq!(Cell::Integer(1_234_567).display(), "1.234.567");
        assert_eq!(Cell::Integer(-1000).display(), "-1.000");
        assert_eq!(Cell::Integer(999).display(), "999");
        assert_eq!(Cell::Decimal(0.75).display(), "0,75");
        assert_eq!(Cell::Decimal(12_345.5).display(), "12.345,5");
        assert_eq!(Cell::Decimal(-0.001).display(), "0");
        assert_eq!(Cell::Percent(85.5).display(), "85,5%");
        assert_eq!(Cell::Percent(100.0).display(), "100%");
        assert_eq!(Cell::Date(date(2026, 2, 3)).display(), "03/02/2026");
        assert_eq!(Cell::Empty.display(), "");
        assert!(Cell::Percent(1.0).is_numeric() && !Cell::Text("1".into()).is_numeric());
    }

    #[test]
    fn a_short_row_is_named_by_table_and_row() {
        let mut document = document_dated(date(2026, 3, 10));
        document.annexes.push(Annex::new(
            "Phụ lục",
            vec![Table {
                title: None,
                columns: vec![
                    Column::new("STT", ColumnKind::Integer),
                    Column::new("Cơ quan", ColumnKind::Text),
                ],
                rows: vec![
                    vec![Cell::Integer(1), Cell::Text("Bộ Tư pháp".into())],
                    vec![Cell::Integer(2)],
                ],
            }],
        ));
        assert_eq!(
            document.validate(),
            Err(PublishError::RowLength {
                table: "annex 1, table 1".into(),
                row: 2,
                expected: 2,
                found: 1
            })
        );
    }

    #[test]
    fn the_document_survives_json_unchanged() {
        let mut document = document_dated(date(2026, 12, 5));
        document.body = vec![
            Block::Heading {
                level: 1,
                text: "I. TỔNG QUAN".into(),
            },
            Block::Paragraph("Đoạn văn.".into()),
            Block::Bullet("Ý một".into()),
        ];
        document.annexes.push(Annex {
            note: Some("(Kèm theo)".into()),
            detail: true,
            ..Annex::new(
                "Phụ lục I",
                vec![Table {
                    title: Some("Bảng 1".into()),
                    columns: vec![Column::new("Tỷ lệ", ColumnKind::Percent)],
                    rows: vec![vec![Cell::Percent(1.0 / 3.0 * 100.0)], vec![Cell::Empty]],
                }],
            )
        });
        let json = serde_json::to_string(&document).expect("serialises");
        let back: OfficialDocument = serde_json::from_str(&json).expect("deserialises");
        assert_eq!(back, document);
    }
}
