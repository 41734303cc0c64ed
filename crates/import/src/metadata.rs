//! Document metadata from the lines before a program's table: the Decree 30 header of a
//! Vietnamese administrative document (issuer above the national title, "Số: 47/NQ-CP",
//! "Hà Nội, ngày 15 tháng 4 năm 2024", the kind word and the summary line, the signature block
//! and its signer, "Căn cứ …" lines), "key: value" lines such as the ones [`crate::export`]
//! writes ("Số: …", "Ngày ban hành: …"), and a heading that carries a number.
//!
//! The official header wins over key/value lines, because scraped pages put a site's own
//! attribute box ("Số hiệu: … Loại văn bản: …") above the document.

use chrono::NaiveDate;
use dongbo_domain::text::fold;
use dongbo_domain::{Directory, DocumentKind, DocumentMeta};

use crate::assemble::Assembler;

/// What the lines before a table say about the document; fields stay `None` where they are
/// silent.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct MetaDraft {
    pub number: Option<String>,
    pub kind: Option<DocumentKind>,
    pub issued_on: Option<NaiveDate>,
    pub issuer_text: Option<String>,
    pub issuer_code: Option<String>,
    pub signer: Option<String>,
    pub title: Option<String>,
    pub implements: Vec<String>,
    pub language: Option<String>,
}

/// The metadata keys the importer reads and [`crate::export`] writes, with the words users
/// write for them (folded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Key {
    Number,
    Kind,
    IssuedOn,
    Issuer,
    IssuerCode,
    Signer,
    Title,
    Implements,
    Language,
}

impl Key {
    /// The label [`crate::export`] writes.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Self::Number => "Số",
            Self::Kind => "Loại văn bản",
            Self::IssuedOn => "Ngày ban hành",
            Self::Issuer => "Cơ quan ban hành",
            Self::IssuerCode => "Mã cơ quan ban hành",
            Self::Signer => "Người ký",
            Self::Title => "Trích yếu",
            Self::Implements => "Thực hiện văn bản",
            Self::Language => "Ngôn ngữ",
        }
    }

    fn from_label(label: &str) -> Option<Self> {
        let folded = fold(label.trim().trim_matches('*').trim());
        Some(match folded.as_str() {
            "so" | "so hieu" | "so, ky hieu" | "so ky hieu" | "so van ban" | "number"
            | "document number" => Self::Number,
            "loai van ban" | "loai" | "kind" | "document type" | "type" => Self::Kind,
            "ngay" | "ngay ban hanh" | "ngay ky" | "issued" | "issued on" | "date" => {
                Self::IssuedOn
            }
            "co quan ban hanh" | "noi ban hanh" | "issuer" | "issued by" => Self::Issuer,
            "ma co quan ban hanh" | "issuer code" => Self::IssuerCode,
            "nguoi ky" | "signer" | "signed by" => Self::Signer,
            "trich yeu" | "tieu de" | "ten van ban" | "title" => Self::Title,
            "thuc hien van ban" | "thuc hien" | "implements" => Self::Implements,
            "ngon ngu" | "language" => Self::Language,
            _ => return None,
        })
    }
}

/// A "key: value" line ("Số: 47/NQ-CP", "- **Người ký:** Trần Lưu Quang"), if it is one.
pub(crate) fn key_value(line: &str) -> Option<(Key, String)> {
    let line =
        line.trim_start_matches(|c: char| matches!(c, '-' | '*' | '+' | '•') || c.is_whitespace());
    let (key, value) = line.split_once(':')?;
    if key.chars().count() > 30 {
        return None;
    }
    let key = Key::from_label(key)?;
    let value = value.trim().trim_start_matches("**").trim().to_owned();
    Some((key, value))
}

impl MetaDraft {
    /// Read the lines before a table (empty lines included: they separate header blocks).
    pub(crate) fn read(lines: &[&str]) -> Self {
        Self::read_with(lines, true)
    }

    /// Read a prose document's opening lines: a number in its first sentence is the number
    /// of what it carries out ("… resolusjon nr. 59-NQ/TW …"), not its own.
    pub(crate) fn read_prose(lines: &[&str]) -> Self {
        Self::read_with(lines, false)
    }

    fn read_with(lines: &[&str], heading_number: bool) -> Self {
        let mut draft = Self::default();
        draft.read_official_header(lines);
        for line in lines {
            if let Some((key, value)) = key_value(line) {
                draft.set_if_missing(key, &value);
            }
        }
        if heading_number {
            draft.read_heading(lines);
        }
        if draft.kind.is_none() {
            draft.kind = draft.number.as_deref().and_then(kind_from_number);
        }
        if let Some(own) = &draft.number {
            draft.implements.retain(|n| n != own);
        }
        draft
    }

    /// Fill `key` from `value` when no earlier line did.
    pub(crate) fn set_if_missing(&mut self, key: Key, value: &str) {
        let value = value.trim();
        if value.is_empty() {
            return;
        }
        match key {
            Key::Number if self.number.is_none() => {
                self.number = Some(
                    document_numbers(value)
                        .into_iter()
                        .next()
                        .unwrap_or_else(|| first_word(value)),
                );
            }
            Key::Kind if self.kind.is_none() => self.kind = kind_from_words(value),
            Key::IssuedOn if self.issued_on.is_none() => self.issued_on = parse_date(value),
            Key::Issuer if self.issuer_text.is_none() => self.issuer_text = Some(value.to_owned()),
            Key::IssuerCode if self.issuer_code.is_none() => {
                self.issuer_code = Some(value.to_owned());
            }
            Key::Signer if self.signer.is_none() => self.signer = Some(value.to_owned()),
            Key::Title if self.title.is_none() => self.title = Some(value.to_owned()),
            Key::Implements if self.implements.is_empty() => {
                self.implements = value
                    .split([';', ','])
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .map(str::to_owned)
                    .collect();
            }
            Key::Language if self.language.is_none() => {
                self.language = Some(value.to_ascii_lowercase());
            }
            _ => {}
        }
    }

    /// The Decree 30 header: issuer lines above the national title, then number, place and
    /// date, kind and summary; the signature block; the "Căn cứ" lines.
    fn read_official_header(&mut self, lines: &[&str]) {
        let national = lines
            .iter()
            .position(|l| fold(l).starts_with("cong hoa xa hoi chu nghia viet nam"));
        if let Some(national) = national {
            // The issuer is written in capitals just above the national title (one or two
            // lines: "ỦY BAN NHÂN DÂN / TỈNH HÀ TĨNH"), under-ruled with dashes.
            let mut issuer: Vec<&str> = Vec::new();
            for line in lines[..national].iter().rev().map(|l| l.trim()) {
                if line.is_empty() || is_rule(line) {
                    if issuer.is_empty() {
                        continue;
                    }
                    break;
                }
                if !is_upper_case(line) || issuer.len() == 3 {
                    break;
                }
                issuer.push(line);
            }
            if !issuer.is_empty() {
                issuer.reverse();
                self.issuer_text = Some(issuer.join(" "));
            }
        }
        let start = national.map_or(0, |n| n + 1);
        let window: Vec<&str> = lines[start..]
            .iter()
            .map(|l| l.trim())
            .filter(|l| !l.is_empty() && !is_rule(l))
            .take(40)
            .collect();
        for (i, line) in window.iter().enumerate() {
            let folded = fold(line);
            if self.number.is_none()
                && (folded.starts_with("so:") || folded.starts_with("so "))
                && line.contains('/')
            {
                let value = line
                    .split_once(':')
                    .map_or_else(|| line.chars().skip(2).collect(), |(_, v)| v.to_owned());
                self.number = document_numbers(&value)
                    .into_iter()
                    .next()
                    .or_else(|| Some(first_word(&value)));
                continue;
            }
            if self.issued_on.is_none()
                && (folded.contains(", ngay ") || folded.starts_with("ngay "))
                && let Some(date) = vietnamese_date(&folded)
            {
                self.issued_on = Some(date);
                continue;
            }
            if self.kind.is_none()
                && is_upper_case(line)
                && let Some((kind, rest)) = kind_word_prefix(line)
            {
                self.kind = Some(kind);
                let rest = rest.trim_start_matches([':', '-', ' ']).trim();
                let title = if rest.chars().count() > 3 {
                    Some(rest.to_owned())
                } else {
                    window.get(i + 1).map(|t| (*t).to_owned())
                };
                if self.title.is_none() {
                    self.title = title;
                }
                continue;
            }
            if self.title.is_none() && (folded.starts_with("v/v ") || folded.starts_with("v/v:")) {
                self.title = Some(line[3..].trim_start_matches([':', ' ']).to_owned());
                self.kind.get_or_insert(DocumentKind::OfficialLetter);
            }
        }
        self.signer = signer(lines);
        let mut implements = Vec::new();
        if let Some(title) = &self.title {
            implements.extend(document_numbers(title));
        }
        for line in lines {
            let folded = fold(line);
            let Some(basis) = folded.strip_prefix("can cu ") else {
                continue;
            };
            // Laws and decrees are legal bases; conclusions, resolutions, directives,
            // decisions, strategies and programmes are what a plan carries out.
            const IMPLEMENTED: &[&str] = &[
                "ket luan",
                "nghi quyet",
                "chi thi",
                "quyet dinh",
                "chien luoc",
                "chuong trinh",
                "ke hoach",
            ];
            if IMPLEMENTED.iter().any(|k| basis.starts_with(k)) {
                implements.extend(document_numbers(line));
            }
        }
        for number in implements {
            if !self.implements.contains(&number) {
                self.implements.push(number);
            }
        }
    }

    /// A heading or first line that carries a number ("# Kế hoạch 12/KH-UBND về …").
    fn read_heading(&mut self, lines: &[&str]) {
        if self.number.is_some() {
            return;
        }
        for line in lines
            .iter()
            .map(|l| l.trim())
            .filter(|l| !l.is_empty())
            .take(5)
        {
            let line = line.trim_start_matches('#').trim();
            if let Some(number) = document_numbers(line).into_iter().next() {
                self.number = Some(number);
                if self.kind.is_none() {
                    self.kind = kind_word_prefix(line).map(|(kind, _)| kind);
                }
                if self.title.is_none() {
                    self.title = Some(line.to_owned());
                }
                return;
            }
        }
    }

    /// The finished metadata. `fallback_title` names the document when nothing else does.
    pub(crate) fn finish(
        self,
        directory: &Directory,
        assembler: &mut Assembler,
        fallback_title: &str,
        language: String,
    ) -> DocumentMeta {
        let issuer = self
            .issuer_code
            .clone()
            .filter(|code| directory.agency(code).is_some())
            .or_else(|| {
                self.issuer_text
                    .as_deref()
                    .and_then(|text| assembler.issuer(directory, text))
            });
        DocumentMeta {
            number: self.number,
            kind: self.kind.unwrap_or(DocumentKind::Other),
            issued_on: self.issued_on,
            issuer,
            issuer_text: self.issuer_text,
            signer: self.signer,
            title: self
                .title
                .filter(|t| !t.trim().is_empty())
                .unwrap_or_else(|| fallback_title.to_owned()),
            implements: self.implements,
            language: self.language.unwrap_or(language),
        }
    }
}

/// The name under the signature block ("TM. CHÍNH PHỦ / KT. THỦ TƯỚNG / PHÓ THỦ TƯỚNG", then
/// space for the seal, then "Trần Lưu Quang"). The last block wins: the header of a document
/// may quote other signatures.
fn signer(lines: &[&str]) -> Option<String> {
    const PREFIXES: &[&str] = &["tm. ", "kt. ", "tl. ", "tuq. ", "q. "];
    const ROLES: &[&str] = &[
        "thu tuong",
        "pho thu tuong",
        "bo truong",
        "thu truong",
        "chu tich",
        "pho chu tich",
        "giam doc",
        "pho giam doc",
        "chanh van phong",
        "cuc truong",
        "vu truong",
        "vien truong",
        "tong giam doc",
    ];
    let block_start = lines.iter().rposition(|line| {
        let folded = fold(line);
        is_upper_case(line.trim())
            && (PREFIXES.iter().any(|p| folded.starts_with(p)) || ROLES.contains(&folded.as_str()))
    })?;
    lines[block_start + 1..]
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty())
        .find(|l| !is_upper_case(l) && !fold(l).starts_with("(da ky"))
        .filter(|name| {
            let words = name.split_whitespace().count();
            (2..=6).contains(&words)
                && !name.chars().any(|c| c.is_ascii_digit() || c == ':')
                && name.chars().next().is_some_and(char::is_uppercase)
        })
        .map(str::to_owned)
}

/// "ngay 15 thang 4 nam 2024" inside folded text.
fn vietnamese_date(folded: &str) -> Option<NaiveDate> {
    let words: Vec<&str> = folded
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    let at = words.iter().position(|w| *w == "ngay")?;
    match words.get(at..at + 6)? {
        [_, day, "thang", month, "nam", year] => {
            NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?)
        }
        _ => None,
    }
}

/// A date as documents and exports write it: "2024-04-15", "15/04/2024", "15-4-2024",
/// "15.04.2024", "ngày 15 tháng 4 năm 2024" — alone or at the start of a value.
pub(crate) fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    if let Some(date) = vietnamese_date(&fold(text)) {
        return Some(date);
    }
    let first = text.split_whitespace().next()?;
    if let Ok(date) = NaiveDate::parse_from_str(first, "%Y-%m-%d") {
        return Some(date);
    }
    let parts: Vec<&str> = first.split(['/', '-', '.']).collect();
    match parts.as_slice() {
        [day, month, year] if year.len() == 4 => {
            NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?)
        }
        _ => None,
    }
}

/// Kind words, folded, longest first so "chuong trinh hanh dong" is not read as something
/// shorter.
const KIND_WORDS: &[(&str, DocumentKind)] = &[
    ("nghi quyet", DocumentKind::Resolution),
    ("quyet dinh", DocumentKind::Decision),
    ("ke hoach", DocumentKind::Plan),
    ("ket luan", DocumentKind::Conclusion),
    ("chi thi", DocumentKind::Directive),
    ("chuong trinh", DocumentKind::Program),
    ("chien luoc", DocumentKind::Strategy),
    ("bao cao", DocumentKind::Report),
    ("cong van", DocumentKind::OfficialLetter),
    ("resolution", DocumentKind::Resolution),
    ("decision", DocumentKind::Decision),
    ("plan", DocumentKind::Plan),
    ("conclusion", DocumentKind::Conclusion),
    ("directive", DocumentKind::Directive),
    ("program", DocumentKind::Program),
    ("programme", DocumentKind::Program),
    ("strategy", DocumentKind::Strategy),
    ("report", DocumentKind::Report),
    ("official letter", DocumentKind::OfficialLetter),
];

/// The kind a line starts with, and the rest of the line.
fn kind_word_prefix(line: &str) -> Option<(DocumentKind, &str)> {
    let folded = fold(line);
    let (word, kind) = KIND_WORDS.iter().find(|(word, _)| {
        folded
            .strip_prefix(word)
            .is_some_and(|rest| rest.is_empty() || !rest.starts_with(char::is_alphanumeric))
    })?;
    // Folding keeps one char per letter for Vietnamese, so the rest starts after as many
    // chars as the kind word has.
    let skip = word.chars().count();
    let rest_start = line
        .trim_start()
        .char_indices()
        .nth(skip)
        .map_or(line.trim_start().len(), |(i, _)| i);
    Some((*kind, &line.trim_start()[rest_start..]))
}

/// A kind named by a word ("Nghị quyết", "resolution", "official_letter").
pub(crate) fn kind_from_words(text: &str) -> Option<DocumentKind> {
    let parsed = DocumentKind::parse(text.trim());
    if parsed != DocumentKind::Other || text.trim() == "other" {
        return Some(parsed);
    }
    if fold(text) == "khac" {
        return Some(DocumentKind::Other);
    }
    kind_word_prefix(text).map(|(kind, _)| kind)
}

/// The kind a number's symbol says: "47/NQ-CP" is a resolution (NQ), "12/KH-UBND" a plan.
fn kind_from_number(number: &str) -> Option<DocumentKind> {
    number
        .split(['/', '-'])
        .skip(1)
        .find_map(|part| match part.to_uppercase().as_str() {
            "NQ" => Some(DocumentKind::Resolution),
            "QĐ" | "QD" => Some(DocumentKind::Decision),
            "KH" => Some(DocumentKind::Plan),
            "KL" => Some(DocumentKind::Conclusion),
            "CT" => Some(DocumentKind::Directive),
            "CTR" | "CTHĐ" => Some(DocumentKind::Program),
            "BC" => Some(DocumentKind::Report),
            _ => None,
        })
}

/// The label export writes for a kind.
pub(crate) fn kind_label(kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::Resolution => "Nghị quyết",
        DocumentKind::Decision => "Quyết định",
        DocumentKind::Plan => "Kế hoạch",
        DocumentKind::Conclusion => "Kết luận",
        DocumentKind::Directive => "Chỉ thị",
        DocumentKind::Program => "Chương trình",
        DocumentKind::Strategy => "Chiến lược",
        DocumentKind::Report => "Báo cáo",
        DocumentKind::OfficialLetter => "Công văn",
        DocumentKind::Other => "Khác",
    }
}

/// Numbers of documents in a text: "47/NQ-CP", "57-KL/TW", "72/2015/NĐ-CP",
/// "404/BNG-NGVH-UNESCO". A number starts with digits, contains a "/" and a capital letter
/// and is made of digits, capitals, "/" and "-".
pub(crate) fn document_numbers(text: &str) -> Vec<String> {
    let mut numbers = Vec::new();
    for word in text.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')')) {
        let word =
            word.trim_matches(|c: char| matches!(c, '.' | ':' | '"' | '“' | '”' | '«' | '»'));
        let well_formed = word.starts_with(|c: char| c.is_ascii_digit())
            && word.contains('/')
            && word.chars().any(char::is_uppercase)
            && word
                .chars()
                .all(|c| c.is_ascii_digit() || c.is_uppercase() || matches!(c, '/' | '-'))
            && !word.ends_with(['/', '-']);
        if well_formed && !numbers.iter().any(|n| n == word) {
            numbers.push(word.to_owned());
        }
    }
    numbers
}

fn first_word(text: &str) -> String {
    text.split_whitespace()
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// A line of dashes or underscores under a header block.
fn is_rule(line: &str) -> bool {
    !line.is_empty()
        && line
            .chars()
            .all(|c| matches!(c, '-' | '_' | '=' | '*' | '—' | '–' | ' '))
}

/// Every letter is a capital (and there is at least one letter).
pub(crate) fn is_upper_case(line: &str) -> bool {
    let mut letters = line.chars().filter(|c| c.is_alphabetic()).peekable();
    letters.peek().is_some() && letters.all(char::is_uppercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_numbers_are_found_in_running_text() {
        assert_eq!(
            document_numbers("THỰC HIỆN KẾT LUẬN SỐ 57-KL/TW NGÀY 15 THÁNG 6 NĂM 2023"),
            vec!["57-KL/TW"]
        );
        assert_eq!(
            document_numbers("Nghị định số 72/2015/NĐ-CP ngày 07/9/2015"),
            vec!["72/2015/NĐ-CP"]
        );
        assert!(document_numbers("giai đoạn 2024 - 2026, ngày 15/4/2024").is_empty());
    }

    #[test]
    fn dates_are_read_in_the_forms_documents_write_them() {
        let date = NaiveDate::from_ymd_opt(2024, 4, 15);
        assert_eq!(parse_date("Hà Nội, ngày 15 tháng 4 năm 2024"), date);
        assert_eq!(parse_date("2024-04-15"), date);
        assert_eq!(parse_date("15/04/2024 Ngày hiệu lực: Đã biết"), date);
        assert_eq!(parse_date("15.4.2024"), date);
        assert_eq!(parse_date("Đã biết"), None);
    }

    #[test]
    fn the_official_header_gives_number_kind_date_issuer_title_and_signer() {
        let lines = [
            "CHÍNH PHỦ",
            "--------",
            "",
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "",
            "Số: 12/KH-UBND",
            "Hà Tĩnh, ngày 3 tháng 11 năm 2023",
            "KẾ HOẠCH",
            "Triển khai Kế hoạch số 210-KH/TU",
            "Căn cứ Chỉ thị số 12-CT/TW ngày 5/1/2022;",
            "TM. ỦY BAN NHÂN DÂN",
            "CHỦ TỊCH",
            "",
            "Võ Trọng Hải",
        ];
        let draft = MetaDraft::read(&lines);
        assert_eq!(draft.number.as_deref(), Some("12/KH-UBND"));
        assert_eq!(draft.kind, Some(DocumentKind::Plan));
        assert_eq!(draft.issued_on, NaiveDate::from_ymd_opt(2023, 11, 3));
        assert_eq!(draft.issuer_text.as_deref(), Some("CHÍNH PHỦ"));
        assert_eq!(
            draft.title.as_deref(),
            Some("Triển khai Kế hoạch số 210-KH/TU")
        );
        assert_eq!(draft.signer.as_deref(), Some("Võ Trọng Hải"));
        assert_eq!(draft.implements, vec!["210-KH/TU", "12-CT/TW"]);
    }

    #[test]
    fn key_value_lines_fill_what_the_header_left_out() {
        let lines = [
            "# Nghị quyết 47/NQ-CP",
            "- Số: 47/NQ-CP",
            "- **Ngày ban hành:** 2024-04-15",
            "- Loại văn bản: Nghị quyết",
            "- Thực hiện văn bản: 57-KL/TW; 59-NQ/TW",
        ];
        let draft = MetaDraft::read(&lines);
        assert_eq!(draft.number.as_deref(), Some("47/NQ-CP"));
        assert_eq!(draft.kind, Some(DocumentKind::Resolution));
        assert_eq!(draft.issued_on, NaiveDate::from_ymd_opt(2024, 4, 15));
        assert_eq!(draft.implements, vec!["57-KL/TW", "59-NQ/TW"]);
    }
}
