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
    /// The line under an appendix's title that names the document it belongs to, when there
    /// is one and no official header came first.
    pub host: Option<HostLine>,
    /// The header's number line when it leaves the number blank ("Số:     /NQ-CP").
    pub blank_number: Option<String>,
    /// What a person must look at or fill (a number left blank).
    pub warnings: Vec<String>,
}

/// The start of the warning given for a document whose number is left blank (a draft's
/// "số      /NQ-CP"); [`crate::Imported::number_left_blank`] is read from it.
pub(crate) const NUMBER_LEFT_BLANK: &str = "the document's number is left blank";
/// The start of the warning given for a document no line of which gives its number.
pub(crate) const NUMBER_MISSING: &str = "the document's number is missing";

/// The line under an appendix's title that says which document the table belongs to:
/// "(Kèm theo Chương trình hành động tại Nghị quyết số 47/NQ-CP ngày 15 tháng 4 năm 2024 của
/// Chính phủ)", "(Ban hành kèm theo Quyết định số 1234/QĐ-TTg …)", or in a draft "(Kèm theo
/// Nghị quyết số      /NQ-CP ngày    tháng    năm 2025 của Chính phủ)".
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HostLine {
    /// The line as written, without its brackets.
    pub text: String,
    /// The kind word before "số" ("Nghị quyết"), or failing that the number's symbol.
    pub kind: Option<DocumentKind>,
    /// `None` when the number is left blank.
    pub number: Option<String>,
    pub issued_on: Option<NaiveDate>,
    /// The words after "của": "Chính phủ", "Thủ tướng Chính phủ".
    pub issuer_text: Option<String>,
}

impl HostLine {
    /// The host line `line` is, if it is one.
    pub(crate) fn parse(line: &str) -> Option<Self> {
        let inner = plain(line);
        let inner = inner
            .trim()
            .trim_start_matches(['(', '['])
            .trim_end_matches([')', ']', '.', ';'])
            .trim();
        let folded = fold(inner);
        if !(folded.starts_with("kem theo ") || folded.starts_with("ban hanh kem theo ")) {
            return None;
        }
        let words: Vec<&str> = inner.split_whitespace().collect();
        let folded_words: Vec<String> = words
            .iter()
            .map(|w| fold(w).trim_matches([',', ':', ';']).to_owned())
            .collect();
        // "số" after a kind word ("… Nghị quyết số 47/NQ-CP …"), or the number right after it
        // ("Kèm theo Nghị quyết 12/NQ-CP …"): `at` is the word before the number.
        let kind_before = |i: usize| {
            let before = folded_words[..i].join(" ");
            KIND_WORDS.iter().find_map(|(word, kind)| {
                (before == *word || before.ends_with(&format!(" {word}"))).then_some(*kind)
            })
        };
        let (at, kind) = folded_words.iter().enumerate().find_map(|(i, w)| {
            if w == "so" {
                return Some((i, kind_before(i)?));
            }
            let number_like = w.contains('/') && !w.starts_with(char::is_alphabetic);
            (number_like && i > 0).then(|| Some((i - 1, kind_before(i)?)))?
        })?;
        let stop = |w: &String| w == "ngay" || w == "cua";
        let number_end = (at + 1..words.len())
            .find(|&i| stop(&folded_words[i]))
            .unwrap_or(words.len());
        // "148 /QĐ-MĐC": a number typed with a space before its symbol is still one number.
        let segment = words[at + 1..number_end]
            .join(" ")
            .replace(" /", "/")
            .replace("/ ", "/");
        let number = document_numbers(&segment).into_iter().next();
        let symbol_kind = if number.is_some() {
            number.as_deref().and_then(kind_from_number)
        } else {
            segment
                .find('/')
                .and_then(|slash| kind_from_number(&format!("0{}", &segment[slash..])))
        };
        let of = (number_end..words.len()).find(|&i| folded_words[i] == "cua");
        let date_words = words[number_end..of.unwrap_or(words.len())].join(" ");
        let issued_on = vietnamese_date(&fold(&date_words)).or_else(|| {
            date_words
                .split_whitespace()
                .skip_while(|w| fold(w) != "ngay")
                .nth(1)
                .and_then(parse_date)
        });
        let issuer_text = of
            .map(|i| words[i + 1..].join(" "))
            .map(|t| t.trim_end_matches([',', '.', ')']).trim().to_owned())
            .filter(|t| !t.is_empty());
        Some(Self {
            text: inner.to_owned(),
            kind: Some(kind).or(symbol_kind),
            number,
            issued_on,
            issuer_text,
        })
    }
}

/// A line without Markdown's marks around it: "**Số: 12/KH-UBND**" → "Số: 12/KH-UBND",
/// "## PHỤ LỤC" → "PHỤ LỤC", "*(Kèm theo …)*" → "(Kèm theo …)".
pub(crate) fn plain(line: &str) -> String {
    let line = line.trim().trim_start_matches('#').trim_start_matches('>');
    let line = line.replace("**", "").replace("__", "");
    let line = line.trim();
    let unwrapped = line
        .strip_prefix('*')
        .and_then(|l| l.strip_suffix('*'))
        .or_else(|| line.strip_prefix('_').and_then(|l| l.strip_suffix('_')))
        .unwrap_or(line);
    unwrapped.trim().to_owned()
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
        let plain_lines: Vec<String> = lines.iter().map(|l| plain(l)).collect();
        let lines: Vec<&str> = plain_lines.iter().map(String::as_str).collect();
        let lines = lines.as_slice();
        let mut draft = Self::default();
        draft.read_official_header(lines);
        for line in lines {
            if let Some((key, value)) = key_value(line) {
                draft.set_if_missing(key, &value);
            }
        }
        // A number in a heading is the document's own only when nothing more explicit said
        // which document this is: under a host line, a number in the title is what the
        // program implements.
        if heading_number && draft.host.is_none() {
            draft.read_heading(lines);
        }
        if draft.kind.is_none() {
            draft.kind = draft.number.as_deref().and_then(kind_from_number);
        }
        if let Some(own) = &draft.number {
            draft.implements.retain(|n| n != own);
        }
        if draft.number.is_none() {
            let blank = draft
                .blank_number
                .clone()
                .or_else(|| draft.host.as_ref().map(|h| h.text.clone()));
            draft.warnings.push(match blank {
                Some(line) => format!(
                    "{NUMBER_LEFT_BLANK} in «{line}»: give the number the document was issued \
                     under (dongbo import --number)"
                ),
                None => format!(
                    "{NUMBER_MISSING}: no line of the file gives the document's number \
                     (such as «Số: 47/NQ-CP» or «(Kèm theo Nghị quyết số 47/NQ-CP …)»); give it \
                     with dongbo import --number"
                ),
            });
        }
        draft
    }

    /// An appendix without its document's header: the document is the one its host line
    /// names, its title the appendix's title (the lines between "PHỤ LỤC" and the host line),
    /// and the numbers in that title are what it implements.
    fn read_host(&mut self, lines: &[&str]) -> bool {
        // A host line may run onto the next line ("(Ban hành kèm theo Kế hoạch số … / của Ủy
        // ban nhân dân xã An Thới Đông)"): read it with the lines up to its closing bracket.
        let with_continuation = |i: usize| {
            let mut line = lines[i].trim().to_owned();
            for next in lines.iter().skip(i + 1).take(2) {
                if !line.starts_with('(') || line.contains(')') {
                    break;
                }
                line.push(' ');
                line.push_str(next.trim());
            }
            line
        };
        let Some((at, host)) = lines
            .iter()
            .enumerate()
            .find_map(|(i, _)| HostLine::parse(&with_continuation(i)).map(|h| (i, h)))
        else {
            return false;
        };
        let above: Vec<(usize, &str)> = lines[..at]
            .iter()
            .enumerate()
            .rev()
            .map(|(i, l)| (i, l.trim()))
            .filter(|(_, l)| !l.is_empty() && !is_rule(l))
            .take(8)
            .collect();
        let appendix = above.iter().position(|(_, l)| is_appendix_heading(l));
        let title_lines: Vec<&str> = match appendix {
            Some(end) => above[..end].iter().rev().map(|(_, l)| *l).collect(),
            // "PHỤ LỤC I. HỆ THỐNG CHỈ TIÊU …": the heading and the title on one line.
            None if above
                .first()
                .is_some_and(|(_, l)| appendix_title(l).is_some()) =>
            {
                above
                    .first()
                    .and_then(|(_, l)| appendix_title(l))
                    .into_iter()
                    .collect()
            }
            None => above
                .iter()
                .take_while(|(_, l)| is_upper_case(l))
                .map(|(_, l)| *l)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect(),
        };
        let title = title_lines.join(" ");
        let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
        if !title.is_empty() {
            for number in document_numbers(&title) {
                if !self.implements.contains(&number) {
                    self.implements.push(number);
                }
            }
            self.title.get_or_insert(title);
        }
        if self.number.is_none() {
            self.number.clone_from(&host.number);
        }
        if self.kind.is_none() {
            self.kind = host.kind;
        }
        if self.issued_on.is_none() {
            self.issued_on = host.issued_on;
        }
        if self.issuer_text.is_none() {
            self.issuer_text.clone_from(&host.issuer_text);
        }
        self.host = Some(host);
        true
    }

    /// Fill `key` from `value` when no earlier line did.
    pub(crate) fn set_if_missing(&mut self, key: Key, value: &str) {
        let value = value.trim();
        if value.is_empty() {
            return;
        }
        match key {
            Key::Number if self.number.is_none() && self.blank_number.is_none() => {
                self.number = own_number(value);
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
    /// date, kind and summary; the signature block; the "Căn cứ" lines. A Party document's
    /// header is the same with "ĐẢNG CỘNG SẢN VIỆT NAM" for the national title, "Số 57-KL/TW"
    /// often beside the issuer, and the issuing body under the kind ("KẾT LUẬN / CỦA BỘ CHÍNH
    /// TRỊ / về …"). An appendix without that header is read from its host line instead
    /// ([`Self::read_host`]).
    fn read_official_header(&mut self, lines: &[&str]) {
        let national = lines.iter().position(|l| is_national_title(l));
        if national.is_none() && self.read_host(lines) {
            self.read_signer_and_bases(lines);
            return;
        }
        let mut start = national.map_or(0, |n| n + 1);
        if let Some(national) = national {
            // The issuer is written in capitals just above the national title (one or two
            // lines: "ỦY BAN NHÂN DÂN / TỈNH HÀ TĨNH"), under-ruled with dashes or a star; a
            // Party document's number may stand between them.
            let mut issuer: Vec<&str> = Vec::new();
            for (i, line) in lines[..national].iter().enumerate().rev() {
                let line = line.trim();
                if is_number_line(line) {
                    start = i;
                    continue;
                }
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
        let window: Vec<&str> = lines[start..]
            .iter()
            .map(|l| l.trim())
            .filter(|l| !l.is_empty() && !is_rule(l) && !is_national_title(l))
            .take(40)
            .collect();
        for (i, line) in window.iter().enumerate() {
            let folded = fold(line);
            if self.number.is_none() && self.blank_number.is_none() && is_number_line(line) {
                let value = line
                    .split_once(':')
                    .map_or_else(|| line.chars().skip(2).collect(), |(_, v)| v.to_owned());
                self.number = own_number(&value);
                if self.number.is_none() {
                    self.blank_number = Some((*line).to_owned());
                }
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
                let mut next = i + 1;
                // "CỦA BỘ CHÍNH TRỊ" under a Party document's kind names who issued it.
                if rest.chars().count() <= 3
                    && let Some(by) = window.get(next)
                    && is_upper_case(by)
                    && fold(by).starts_with("cua ")
                {
                    self.issuer_text = Some(by.chars().skip(4).collect::<String>());
                    next += 1;
                }
                let title = if rest.chars().count() > 3 {
                    Some(rest.to_owned())
                } else {
                    window.get(next).map(|t| (*t).to_owned())
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
        self.read_signer_and_bases(lines);
    }

    /// The signer under the signature block, and the documents named by "Căn cứ …" lines that
    /// this one carries out.
    fn read_signer_and_bases(&mut self, lines: &[&str]) {
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

    /// A heading or first line that carries the document's own number: "# Kế hoạch
    /// 12/KH-UBND về …", "Nghị quyết số 47/NQ-CP", or the number alone. A number further on
    /// ("Chương trình … thực hiện Nghị quyết số 57-NQ/TW …") is what the document carries out,
    /// never its own.
    fn read_heading(&mut self, lines: &[&str]) {
        if self.number.is_some() || self.blank_number.is_some() {
            return;
        }
        for line in lines
            .iter()
            .map(|l| l.trim())
            .filter(|l| !l.is_empty())
            .take(5)
        {
            let line = line.trim_start_matches('#').trim();
            let kind = kind_word_prefix(line);
            let after_kind = kind.map_or(line, |(_, rest)| rest).trim_start();
            let after_so = ["số:", "Số:", "số", "Số", "SỐ:", "SỐ", "no.", "No.", "nr."]
                .iter()
                .find_map(|so| after_kind.strip_prefix(so))
                .unwrap_or(after_kind);
            let first = after_so.split_whitespace().next().unwrap_or_default();
            let Some(number) = document_numbers(first).into_iter().next() else {
                continue;
            };
            if kind.is_none() && after_so.split_whitespace().count() > 1 {
                continue;
            }
            self.number = Some(number);
            if self.kind.is_none() {
                self.kind = kind.map(|(kind, _)| kind);
            }
            if self.title.is_none() {
                self.title = Some(line.to_owned());
            }
            return;
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
    ("quy dinh", DocumentKind::Regulation),
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
    ("regulation", DocumentKind::Regulation),
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
pub(crate) fn kind_from_number(number: &str) -> Option<DocumentKind> {
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
        DocumentKind::Regulation => "Quy định",
        DocumentKind::Report => "Báo cáo",
        DocumentKind::OfficialLetter => "Công văn",
        DocumentKind::Other => "Khác",
    }
}

/// Numbers of documents in a text: "47/NQ-CP", "57-KL/TW", "72/2015/NĐ-CP",
/// "404/BNG-NGVH-UNESCO", "1234/QĐ-TTg", "66.18/2026/NQ-CP". A number starts with digits,
/// contains a "/" and a capital letter and is made of digits, letters, "/", "-" and "." (the
/// Prime Minister's symbol "TTg" has a small letter; the Government's special resolutions of
/// 2025–26 are numbered "66.18").
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
                .all(|c| c.is_alphanumeric() || matches!(c, '/' | '-' | '.'))
            && !word.ends_with(['/', '-']);
        if well_formed && !numbers.iter().any(|n| n == word) {
            numbers.push(word.to_owned());
        }
    }
    numbers
}

/// A document's own number as its number line writes it: the first well-formed number
/// ("47/NQ-CP"), or else a first word with a digit that does not start with the symbol's
/// "/" — a number left blank in a draft ("Số:      /NQ-CP", "Số: …/QĐ-TTg") is none.
fn own_number(value: &str) -> Option<String> {
    document_numbers(value).into_iter().next().or_else(|| {
        let word = value.split_whitespace().next()?;
        (word.chars().next().is_some_and(|c| c.is_alphanumeric())
            && word.chars().any(|c| c.is_ascii_digit()))
        .then(|| word.to_owned())
    })
}

/// "Số: 47/NQ-CP", "Số 57-KL/TW", "Số:     /NQ-CP": the header's number line.
fn is_number_line(line: &str) -> bool {
    let folded = fold(line.trim());
    (folded.starts_with("so:") || folded.starts_with("so "))
        && line.contains('/')
        && folded.chars().count() < 40
}

/// "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", or a Party document's "ĐẢNG CỘNG SẢN VIỆT NAM".
fn is_national_title(line: &str) -> bool {
    let folded = fold(line.trim());
    folded.starts_with("cong hoa xa hoi chu nghia viet nam") || folded == "dang cong san viet nam"
}

/// The title after "PHỤ LỤC I." on the same line ("PHỤ LỤC I. HỆ THỐNG CHỈ TIÊU …").
fn appendix_title(line: &str) -> Option<&str> {
    let line = line.trim();
    if !fold(line).starts_with("phu luc ") {
        return None;
    }
    let (_, title) = line.split_once(['.', ':', '-', '–'])?;
    let title = title.trim();
    (title.chars().count() > 3).then_some(title)
}

/// "PHỤ LỤC", "PHỤ LỤC I", "Phụ lục số 02": the heading above an appendix's title.
fn is_appendix_heading(line: &str) -> bool {
    let folded = fold(line.trim());
    folded.starts_with("phu luc") && folded.chars().count() <= 20
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
        assert_eq!(
            document_numbers("Quyết định số 1234/QĐ-TTg ngày 5/3/2025"),
            vec!["1234/QĐ-TTg"]
        );
        assert_eq!(
            document_numbers("Căn cứ Nghị quyết số 66.18/2026/NQ-CP ngày 18/5/2026."),
            vec!["66.18/2026/NQ-CP"]
        );
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
