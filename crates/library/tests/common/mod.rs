//! What the library's tests share: a library over a test database, callers with roles, and
//! real files (a Vietnamese PDF from the publish crate, a PDF with no text, a DOCX).

#![expect(dead_code, reason = "each test binary uses a part")]

use chrono::{TimeZone, Utc};
use dongbo_domain::access::{Grant, Role};
use dongbo_domain::{Clock, Directory};
use dongbo_library::Library;
use dongbo_store::Db;
use dongbo_store::accounts::{Caller, User};

/// A library over `db`, its files in `files`, on a pinned clock.
pub fn library(db: &Db, files: &std::path::Path) -> Library {
    let clock = Clock::pinned(Utc.with_ymd_and_hms(2026, 12, 7, 3, 0, 0).unwrap());
    Library::new(db.clone(), Directory::bundled(), files, clock)
}

pub fn caller(username: &str, grants: &[(Role, &str)]) -> Caller {
    let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    Caller {
        user: User {
            id: 1,
            username: username.to_owned(),
            display_name: username.to_owned(),
            must_change_password: false,
            disabled: false,
            created_at: at,
            updated_at: at,
        },
        grants: grants
            .iter()
            .map(|(role, agency)| Grant::new(*role, *agency))
            .collect(),
    }
}

/// A real PDF with Vietnamese text: a Decree 30 report rendered by the publish crate (Typst).
pub fn vietnamese_pdf(title: &str, paragraph: &str) -> Vec<u8> {
    use dongbo_publish::model::{Block, Issuer, OfficialDocument, Signature};
    let document = OfficialDocument {
        issuer: Issuer {
            superior: None,
            name: "Bộ Ngoại giao".into(),
            abbreviation: "BNG".into(),
        },
        number: "12/BC-BNG".into(),
        place: "Hà Nội".into(),
        date: chrono::NaiveDate::from_ymd_opt(2026, 3, 10).unwrap(),
        kind: "Báo cáo".into(),
        title: title.into(),
        body: vec![Block::Paragraph(paragraph.into())],
        recipients: vec!["Lưu: VT.".into()],
        signature: Signature {
            authority: None,
            on_behalf_of: String::new(),
            position: "BỘ TRƯỞNG".into(),
            name: "Nguyễn Văn A".into(),
        },
        annexes: vec![],
    };
    dongbo_publish::pdf::render(&document).expect("rendering a PDF")
}

/// A well-formed one-page PDF whose page draws an image and no text (a scan).
pub fn image_only_pdf() -> Vec<u8> {
    let content = b"q 100 0 0 100 0 0 cm /Im1 Do Q";
    let objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R \
           /Resources << /XObject << /Im1 5 0 R >> >> >>"
            .to_vec(),
        [
            format!("<< /Length {} >>\nstream\n", content.len()).into_bytes(),
            content.to_vec(),
            b"\nendstream".to_vec(),
        ]
        .concat(),
        [
            b"<< /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray \
               /BitsPerComponent 8 /Length 4 >>\nstream\n"
                .to_vec(),
            vec![0, 255, 255, 0],
            b"\nendstream".to_vec(),
        ]
        .concat(),
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (index, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend(format!("{} 0 obj\n", index + 1).into_bytes());
        pdf.extend(object);
        pdf.extend(b"\nendobj\n");
    }
    let xref = pdf.len();
    pdf.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).into_bytes());
    for offset in offsets {
        pdf.extend(format!("{offset:010} 00000 n \n").into_bytes());
    }
    pdf.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .into_bytes(),
    );
    pdf
}

/// A real Word document (docx-rs) with these paragraphs.
pub fn docx(paragraphs: &[&str]) -> Vec<u8> {
    let mut document = docx_rs::Docx::new();
    for text in paragraphs {
        document = document
            .add_paragraph(docx_rs::Paragraph::new().add_run(docx_rs::Run::new().add_text(*text)));
    }
    let mut bytes = std::io::Cursor::new(Vec::new());
    document.build().pack(&mut bytes).expect("packing a DOCX");
    bytes.into_inner()
}
