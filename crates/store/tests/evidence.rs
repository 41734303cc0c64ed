//! Evidence files, on SQLite and on PostgreSQL: stored once per content, refused when too
//! large or not of an accepted kind (by their bytes, not by what they claim), read back intact,
//! and cited by reports.

use std::path::Path;

use dongbo_domain::{Directory, Role};
use dongbo_store::reports;
use dongbo_store::{
    AttachedFile, Db, Edit, EvidenceLimits, EvidenceStore, MediaType, ReportContent, ReportPeriod,
    StoreError, assignments,
};

dongbo_testkit::backend_tests!(
    the_same_content_given_twice_is_stored_once,
    empty_oversized_and_unaccepted_files_are_refused_and_leave_nothing,
    the_bytes_decide_the_kind_and_a_wrong_declared_type_is_refused,
    word_and_excel_files_are_told_apart_by_their_parts,
    a_store_accepts_only_the_kinds_its_limits_allow,
    a_report_cites_a_stored_file_that_reads_back_intact,
    a_file_changed_on_disk_is_corrupt_and_bad_names_are_refused,
);

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01";
const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00";
/// The start of an old binary Word document (.doc): not accepted.
const DOC: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00\x00\x00\x00\x00\x00\x00";

fn docx() -> Vec<u8> {
    use docx_rs::{Docx, Paragraph, Run};
    let mut buffer = std::io::Cursor::new(Vec::new());
    Docx::new()
        .add_paragraph(Paragraph::new().add_run(Run::new().add_text("Biên bản hội nghị")))
        .build()
        .pack(&mut buffer)
        .unwrap();
    buffer.into_inner()
}

fn xlsx() -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "Số tin bài").unwrap();
    sheet.write_number(0, 1, 35).unwrap();
    workbook.save_to_buffer().unwrap()
}

/// The files under `dir`, temporary ones included.
fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else {
            found.push(path);
        }
    }
    found
}

fn store(dir: &tempfile::TempDir) -> EvidenceStore {
    EvidenceStore::new(
        EvidenceStore::default_dir(dir.path()),
        EvidenceLimits::default(),
    )
}

fn is_invalid(error: &StoreError) -> bool {
    matches!(error, StoreError::Invalid(_))
}

async fn the_same_content_given_twice_is_stored_once(db: &Db) {
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir);
    let first = store
        .put(db, PDF, "bien-ban.pdf", Some("application/pdf"))
        .await
        .unwrap();
    assert_eq!(first.media_type, MediaType::Pdf);
    assert_eq!(first.size, PDF.len() as u64);
    assert!(!first.already_stored);
    assert_eq!(first.sha256.len(), 64);

    let again = store.put(db, PDF, "ban-sao.pdf", None).await.unwrap();
    assert_eq!(again.sha256, first.sha256);
    assert!(again.already_stored);

    let files = files_under(dir.path());
    let expected = dir
        .path()
        .join("files")
        .join(&first.sha256[..2])
        .join(&first.sha256);
    assert_eq!(files, [expected], "one file, named by its content");
    assert_eq!(store.open(&first.sha256).await.unwrap(), PDF);

    let info = store.info(db, &first.sha256).await.unwrap().unwrap();
    assert_eq!(info.original_name, "bien-ban.pdf", "the first name is kept");
    assert_eq!(info.media_type, "application/pdf");
    assert_eq!(info.size, PDF.len() as u64);
}

async fn empty_oversized_and_unaccepted_files_are_refused_and_leave_nothing(db: &Db) {
    let dir = tempfile::tempdir().unwrap();
    let store = EvidenceStore::new(
        dir.path(),
        EvidenceLimits {
            max_bytes: 64,
            ..EvidenceLimits::default()
        },
    );
    let error = store.put(db, b"", "rong.txt", None).await.unwrap_err();
    assert!(is_invalid(&error), "{error}");

    let big = "Báo cáo ".repeat(20);
    let error = store
        .put(db, big.as_bytes(), "dai.txt", Some("text/plain"))
        .await
        .unwrap_err();
    assert!(is_invalid(&error), "{error}");
    assert!(error.to_string().contains("64 B"), "{error}");

    let error = store
        .put(db, DOC, "bao-cao.doc", Some("application/msword"))
        .await
        .unwrap_err();
    assert!(is_invalid(&error), "{error}");
    let error = store
        .put(db, b"\x7FELF\x02\x01\x01\x00", "chuong-trinh", None)
        .await
        .unwrap_err();
    assert!(is_invalid(&error), "{error}");

    assert!(files_under(dir.path()).is_empty(), "nothing written");
    for bytes in [&b""[..], big.as_bytes(), DOC] {
        let sha256 = sha256_of(bytes);
        assert!(store.info(db, &sha256).await.unwrap().is_none());
    }
}

/// The SHA-256 of `bytes` in hex, computed here independently of the store.
fn sha256_of(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn the_bytes_decide_the_kind_and_a_wrong_declared_type_is_refused(db: &Db) {
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir);
    // A PNG that claims to be a PDF.
    let error = store
        .put(db, PNG, "anh.pdf", Some("application/pdf"))
        .await
        .unwrap_err();
    assert!(is_invalid(&error), "{error}");
    assert!(error.to_string().contains("PNG"), "{error}");
    // Text that claims to be a JPEG.
    let error = store
        .put(db, b"not a picture", "anh.jpg", Some("image/jpeg"))
        .await
        .unwrap_err();
    assert!(is_invalid(&error), "{error}");
    assert!(files_under(dir.path()).is_empty());

    // Without a declared type, or with the browsers' "anything", the bytes decide.
    let png = store
        .put(db, PNG, "anh.png", Some("application/octet-stream"))
        .await
        .unwrap();
    assert_eq!(png.media_type, MediaType::Png);
    let jpeg = store
        .put(db, JPEG, "anh.jpg", Some("image/jpg"))
        .await
        .unwrap();
    assert_eq!(jpeg.media_type, MediaType::Jpeg);
    let text = store
        .put(
            db,
            "Danh sách đại biểu\n".as_bytes(),
            "dai-bieu.txt",
            Some("text/plain; charset=utf-8"),
        )
        .await
        .unwrap();
    assert_eq!(text.media_type, MediaType::Text);
    assert_eq!(files_under(dir.path()).len(), 3);
}

async fn word_and_excel_files_are_told_apart_by_their_parts(db: &Db) {
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir);
    let docx = docx();
    let xlsx = xlsx();
    let stored = store
        .put(db, &docx, "bien-ban.docx", Some(MediaType::Docx.mime()))
        .await
        .unwrap();
    assert_eq!(stored.media_type, MediaType::Docx);
    let stored = store.put(db, &xlsx, "so-lieu.xlsx", None).await.unwrap();
    assert_eq!(stored.media_type, MediaType::Xlsx);
    // A workbook sent as a Word document.
    let error = store
        .put(db, &xlsx, "so-lieu.docx", Some(MediaType::Docx.mime()))
        .await
        .unwrap_err();
    assert!(is_invalid(&error), "{error}");

    // A zip archive that is neither: its parts are not an office document's.
    let mut archive = xlsx.clone();
    for window in 0..archive.len().saturating_sub(15) {
        if &archive[window..window + 15] == b"xl/workbook.xml" {
            archive[window..window + 15].copy_from_slice(b"xl/notebook.xml");
        }
    }
    let error = store.put(db, &archive, "tep.zip", None).await.unwrap_err();
    assert!(is_invalid(&error), "{error}");
    // A truncated one.
    let error = store
        .put(db, &xlsx[..xlsx.len() / 2], "hong.xlsx", None)
        .await
        .unwrap_err();
    assert!(is_invalid(&error), "{error}");
    assert_eq!(files_under(dir.path()).len(), 2);
}

async fn a_store_accepts_only_the_kinds_its_limits_allow(db: &Db) {
    let dir = tempfile::tempdir().unwrap();
    let store = EvidenceStore::new(
        dir.path(),
        EvidenceLimits {
            allowed: vec![MediaType::Pdf],
            ..EvidenceLimits::default()
        },
    );
    assert_eq!(store.limits().max_bytes, 20 * 1024 * 1024);
    store.put(db, PDF, "bien-ban.pdf", None).await.unwrap();
    let error = store.put(db, PNG, "anh.png", None).await.unwrap_err();
    assert!(is_invalid(&error), "{error}");
    assert_eq!(files_under(dir.path()).len(), 1);
}

async fn a_report_cites_a_stored_file_that_reads_back_intact(db: &Db) {
    let directory = Directory::bundled();
    let program_id = dongbo_testkit::load_47_assigned(db, &directory).await;
    let assignment_id = assignments::for_task(db, program_id, "2.1")
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.role == Role::Lead)
        .unwrap()
        .id;
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir);
    let docx = docx();
    let stored = store.put(db, &docx, "Biên bản.docx", None).await.unwrap();

    let content = ReportContent {
        library_items: Vec::new(),
        results: "Đã tổ chức hội nghị".to_owned(),
        progress: 50,
        files: vec![AttachedFile {
            sha256: stored.sha256.to_uppercase(),
            name: "Biên bản hội nghị.docx".to_owned(),
        }],
        ..ReportContent::default()
    };
    let submitted = reports::submit(
        db,
        &Edit {
            assignment_id,
            period: ReportPeriod::Once,
            content: &content,
            author: "can-bo",
            based_on: None,
            idempotency_key: None,
        },
    )
    .await
    .unwrap();
    let returned = reports::return_report(db, submitted.report_id, 1, "lanh-dao", "Ký lại", None)
        .await
        .unwrap();
    let report = reports::get(db, returned.report_id).await.unwrap();
    for version in &report.versions {
        assert_eq!(
            version.content.files.len(),
            1,
            "each version keeps its files"
        );
        let file = &version.content.files[0];
        assert_eq!(file.sha256, stored.sha256, "stored in lower case");
        assert_eq!(file.name, "Biên bản hội nghị.docx");
        assert_eq!(store.open(&file.sha256).await.unwrap(), docx);
    }
}

async fn a_file_changed_on_disk_is_corrupt_and_bad_names_are_refused(db: &Db) {
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir);
    let stored = store
        .put(db, "Nội dung gốc".as_bytes(), "goc.txt", None)
        .await
        .unwrap();
    let path = dir
        .path()
        .join("files")
        .join(&stored.sha256[..2])
        .join(&stored.sha256);
    std::fs::write(&path, "Nội dung bị sửa").unwrap();
    let error = store.open(&stored.sha256).await.unwrap_err();
    assert!(matches!(error, StoreError::Corrupt { .. }), "{error}");

    let error = store.open("../../etc/passwd").await.unwrap_err();
    assert!(is_invalid(&error), "{error}");
    let error = store.open(&"0".repeat(64)).await.unwrap_err();
    assert!(matches!(error, StoreError::NotFound(_)), "{error}");
    assert!(store.info(db, &"0".repeat(64)).await.unwrap().is_none());
}
