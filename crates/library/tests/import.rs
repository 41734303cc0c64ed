//! Bulk import on SQLite and PostgreSQL: each catalogue format imports and a second import
//! changes nothing; a bad row stores nothing and names its row and column; a folder of real
//! PDF, DOCX, HTML and text files (an image-only PDF kept with no text, a TCVN3 text
//! converted) imports, and again changes nothing; a dry run stores nothing.

mod common;

use dongbo_library::catalogue::{self, Format, ImportError, Options, Report};
use dongbo_store::Db;
use dongbo_store::library::{Outcome, TextStatus, changes, items};

dongbo_testkit::backend_tests!(
    a_csv_catalogue_imports_and_a_second_import_changes_nothing,
    an_xlsx_catalogue_imports_and_a_second_import_changes_nothing,
    a_json_lines_catalogue_imports_and_a_second_import_changes_nothing,
    a_bad_row_stores_nothing_and_is_named_by_row_and_column,
    a_folder_of_real_documents_imports_each_file_as_an_item,
    a_dry_run_says_what_would_happen_and_stores_nothing,
);

const CSV: &str = "title,kind,agency,topics,countries,visibility,visible_to,published_on,external_id,body,url\n\
Sách trắng Quốc phòng,white_paper,BQP,phoi-hop.phap-ly,VN,public,,2019-11-25,st-2019,Sách trắng quốc phòng Việt Nam năm 2019.,\n\
Bài phát biểu tại Liên hợp quốc,speech,BNG,doi-moi.quang-ba;quan-triet,VN;US,agencies,BNG;BQP,22/09/2025,,Phát biểu của Thủ tướng tại Đại hội đồng.,https://mofa.gov.vn/phat-bieu-1\n\
Infographic 47/NQ-CP,infographic,BVHTTDL,,,government,,,,,\n";

fn options() -> Options {
    Options::default()
}

async fn run(
    library: &dongbo_library::Library,
    path: &std::path::Path,
    options: &Options,
) -> Report {
    catalogue::import(library, path, options)
        .await
        .unwrap_or_else(|e| panic!("importing {}: {e}", path.display()))
}

fn counts(report: &Report) -> (usize, usize, usize, usize) {
    (
        report.created,
        report.updated,
        report.unchanged,
        report.duplicates_merged,
    )
}

async fn a_csv_catalogue_imports_and_a_second_import_changes_nothing(db: &Db) {
    let dir = tempfile::tempdir().unwrap();
    let library = common::library(db, &dir.path().join("files"));
    let path = dir.path().join("catalogue.csv");
    std::fs::write(&path, CSV).unwrap();
    let first = run(&library, &path, &options()).await;
    assert_eq!(first.format, Format::Csv);
    assert_eq!(counts(&first), (3, 0, 0, 0), "{first:?}");
    let speech = items::get(db, first.items[1].id.unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(speech.data.topics, ["doi-moi.quang-ba", "quan-triet"]);
    assert_eq!(speech.data.countries, ["VN", "US"]);
    assert_eq!(
        speech.data.visibility,
        dongbo_domain::library::Visibility::Agencies(vec!["BNG".into(), "BQP".into()])
    );
    assert_eq!(speech.data.published_on.unwrap().to_string(), "2025-09-22");
    assert_eq!(speech.data.language, "vi");
    // Keyed by its URL (no external id), from the owner as its system.
    assert_eq!(speech.provenances[0].system, "BNG");
    assert_eq!(
        speech.provenances[0].external_id.as_deref(),
        Some("https://mofa.gov.vn/phat-bieu-1")
    );
    let seq = changes::last_seq(db).await.unwrap();

    let second = run(&library, &path, &options()).await;
    assert_eq!(counts(&second), (0, 0, 3, 0));
    assert_eq!(changes::last_seq(db).await.unwrap(), seq, "nothing written");
    assert_eq!(
        second.items.iter().map(|i| i.id).collect::<Vec<_>>(),
        first.items.iter().map(|i| i.id).collect::<Vec<_>>()
    );

    // A changed row updates its item; the others stay.
    std::fs::write(
        &path,
        CSV.replace("Sách trắng quốc phòng Việt Nam năm 2019.", "Bản sửa."),
    )
    .unwrap();
    let third = run(&library, &path, &options()).await;
    assert_eq!(counts(&third), (0, 1, 2, 0));
    assert_eq!(items::count(db).await.unwrap(), 3);
}

async fn an_xlsx_catalogue_imports_and_a_second_import_changes_nothing(db: &Db) {
    let dir = tempfile::tempdir().unwrap();
    let library = common::library(db, &dir.path().join("files"));
    let path = dir.path().join("danh-muc.xlsx");
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    let rows = [
        [
            "Title",
            "Kind",
            "Agency",
            "External_ID",
            "Published_On",
            "Language",
        ],
        [
            "Vietnam at a glance",
            "Publication",
            "BNG",
            "x-1",
            "2024-05-01",
            "en",
        ],
        ["Báo cáo thường niên", "Báo cáo", "BNG", "x-2", "", ""],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *cell).unwrap();
        }
    }
    workbook.save(&path).unwrap();
    let first = run(&library, &path, &options()).await;
    assert_eq!(first.format, Format::Xlsx);
    assert_eq!(counts(&first), (2, 0, 0, 0));
    let english = items::get(db, first.items[0].id.unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(english.data.language, "en");
    assert!(english.data.language_overridden);
    assert_eq!(
        english.data.kind,
        dongbo_domain::library::ItemKind::Publication
    );
    let report = items::get(db, first.items[1].id.unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(report.data.kind, dongbo_domain::library::ItemKind::Report);
    assert_eq!(first.items[1].source, "row 3");
    let second = run(&library, &path, &options()).await;
    assert_eq!(counts(&second), (0, 0, 2, 0));
}

async fn a_json_lines_catalogue_imports_and_a_second_import_changes_nothing(db: &Db) {
    let dir = tempfile::tempdir().unwrap();
    let library = common::library(db, &dir.path().join("files"));
    let path = dir.path().join("feed.jsonl");
    let lines = [
        r#"{"title": "Thông cáo báo chí", "kind": "article", "agency": "BNG", "system": "cong-bng", "external_id": "tc-1", "topics": ["phoi-hop.bao-chi"], "body": "Người phát ngôn Bộ Ngoại giao trả lời câu hỏi của phóng viên."}"#,
        "",
        r#"{"title": "Press release", "kind": "article", "agency": "BNG", "system": "cong-bng", "external_id": "tc-1-en", "work_id": null, "language": "en", "body": "The spokesperson answered questions from reporters."}"#,
        // The same text as the first line from another system: one item, two provenances.
        r#"{"title": "Thông cáo (bản đăng lại)", "kind": "article", "agency": "BVHTTDL", "system": "cong-bvhttdl", "external_id": "77", "body": "Người phát ngôn Bộ Ngoại giao  trả lời câu hỏi của phóng viên."}"#,
    ];
    let path_text = lines.join("\n");
    // `work_id` is not a column: refused.
    std::fs::write(&path, &path_text).unwrap();
    let Err(ImportError::Rows(errors)) = catalogue::import(&library, &path, &options()).await
    else {
        panic!("an unknown field must be refused");
    };
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].row.as_deref(), Some("line 3"));
    assert_eq!(errors[0].column.as_deref(), Some("work_id"));
    assert_eq!(items::count(db).await.unwrap(), 0);

    std::fs::write(&path, path_text.replace(r#""work_id": null, "#, "")).unwrap();
    let first = run(&library, &path, &options()).await;
    assert_eq!(counts(&first), (2, 0, 0, 1), "{first:?}");
    assert_eq!(first.items[2].outcome, Outcome::Merged);
    assert_eq!(first.items[2].id, first.items[0].id);
    let merged = items::get(db, first.items[0].id.unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(merged.provenances.len(), 2);
    assert_eq!(merged.data.title, "Thông cáo báo chí");
    let second = run(&library, &path, &options()).await;
    assert_eq!(counts(&second), (0, 0, 3, 0), "{second:?}");
}

async fn a_bad_row_stores_nothing_and_is_named_by_row_and_column(db: &Db) {
    let dir = tempfile::tempdir().unwrap();
    let library = common::library(db, &dir.path().join("files"));
    let path = dir.path().join("bad.csv");
    let bad = CSV
        .replace(
            "Infographic 47/NQ-CP,infographic,BVHTTDL",
            "Infographic 47/NQ-CP,poster,XYZ",
        )
        .replace("22/09/2025", "31/02/2025");
    std::fs::write(&path, bad).unwrap();
    let Err(ImportError::Rows(errors)) = catalogue::import(&library, &path, &options()).await
    else {
        panic!("bad rows must be refused");
    };
    let places: Vec<(Option<&str>, Option<&str>)> = errors
        .iter()
        .map(|e| (e.row.as_deref(), e.column.as_deref()))
        .collect();
    assert!(
        places.contains(&(Some("row 3"), Some("published_on"))),
        "{errors:?}"
    );
    assert!(
        places.contains(&(Some("row 4"), Some("kind"))),
        "{errors:?}"
    );
    assert!(
        places.contains(&(Some("row 4"), Some("agency"))),
        "{errors:?}"
    );
    let shown = errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        shown.contains("bad.csv: row 4, column «kind»: unknown kind «poster»"),
        "{shown}"
    );
    assert_eq!(items::count(db).await.unwrap(), 0);
    assert_eq!(changes::last_seq(db).await.unwrap(), 0);

    // An unknown column and a missing required one are named in the header.
    std::fs::write(&path, "titel,kind\nA,article\n").unwrap();
    let Err(ImportError::Rows(errors)) = catalogue::import(&library, &path, &options()).await
    else {
        panic!("an unknown column must be refused");
    };
    assert!(
        errors.iter().any(|e| e.column.as_deref() == Some("titel")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.column.as_deref() == Some("title")),
        "{errors:?}"
    );

    // Two rows with one key.
    std::fs::write(&path, "title,kind,external_id\nA,article,1\nB,article,1\n").unwrap();
    let Err(ImportError::Rows(errors)) = catalogue::import(&library, &path, &options()).await
    else {
        panic!("two rows with one key must be refused");
    };
    assert_eq!(errors[0].row.as_deref(), Some("row 3"));
    assert!(errors[0].message.contains("row 2"), "{errors:?}");

    // A file outside the catalogue's folder.
    std::fs::write(&path, "title,kind,file\nA,article,../secret.txt\n").unwrap();
    let Err(ImportError::Rows(errors)) = catalogue::import(&library, &path, &options()).await
    else {
        panic!("a file outside the folder must be refused");
    };
    assert_eq!(errors[0].column.as_deref(), Some("file"));
    // A bad row in an XLSX catalogue: named by its row in the sheet.
    let xlsx = dir.path().join("bad.xlsx");
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (r, row) in [["title", "kind", "visibility"], ["A", "article", "secret"]]
        .iter()
        .enumerate()
    {
        for (c, cell) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *cell).unwrap();
        }
    }
    workbook.save(&xlsx).unwrap();
    let Err(ImportError::Rows(errors)) = catalogue::import(&library, &xlsx, &options()).await
    else {
        panic!("a bad visibility must be refused");
    };
    assert_eq!(
        (errors[0].row.as_deref(), errors[0].column.as_deref()),
        (Some("row 2"), Some("visibility"))
    );
    assert_eq!(items::count(db).await.unwrap(), 0);
}

async fn a_folder_of_real_documents_imports_each_file_as_an_item(db: &Db) {
    let dir = tempfile::tempdir().unwrap();
    let library = common::library(db, &dir.path().join("files"));
    let folder = dir.path().join("tai-lieu");
    std::fs::create_dir_all(folder.join("con")).unwrap();
    std::fs::write(
        folder.join("bao-cao.pdf"),
        common::vietnamese_pdf(
            "Thông tin đối ngoại năm 2025",
            "Quảng bá hình ảnh quốc gia Việt Nam trên không gian mạng.",
        ),
    )
    .unwrap();
    std::fs::write(folder.join("ban-scan.pdf"), common::image_only_pdf()).unwrap();
    std::fs::write(
        folder.join("ke-hoach.docx"),
        common::docx(&[
            "Kế hoạch thông tin đối ngoại",
            "Tăng cường đấu tranh phản bác thông tin sai trái.",
        ]),
    )
    .unwrap();
    std::fs::write(
        folder.join("con/bai-viet.html"),
        "<html><head><title>Đà Nẵng đón khách quốc tế</title><script>var x = 'không lấy';</script></head>\
         <body><nav>Trang chủ | Tin tức</nav><article><h1>Đà Nẵng</h1><p>Thành phố đón hơn một triệu khách quốc tế.</p></article></body></html>",
    )
    .unwrap();
    std::fs::write(
        folder.join("ghi-chu.md"),
        "# Ghi chú họp\n\nNội dung cuộc họp về thông tin đối ngoại.\n",
    )
    .unwrap();
    std::fs::write(folder.join("anh.png"), b"\x89PNG\r\n\x1a\n....").unwrap();
    // A text saved in TCVN3 (ABC), as old archives hold: bytes derived with iconv.
    let tcvn3: &[u8] = b"C\xe9ng h\xdfa x\xb7 h\xe9i ch\xf1 ngh\xdca Vi\xd6t Nam\n\xae\xe9c l\xcbp t\xf9 do h\xb9nh ph\xf3c\n";
    std::fs::write(folder.join("cu.txt"), tcvn3).unwrap();

    let first = run(&library, &folder, &options()).await;
    assert_eq!(first.format, Format::Files);
    assert_eq!(counts(&first), (6, 0, 0, 0), "{first:#?}");
    assert!(
        first.skipped.iter().any(|s| s.starts_with("anh.png")),
        "{:?}",
        first.skipped
    );
    let by_source = |source: &str| {
        first
            .items
            .iter()
            .find(|i| i.source == source)
            .unwrap_or_else(|| panic!("{source} in {:#?}", first.items))
            .clone()
    };
    let pdf = items::get(db, by_source("bao-cao.pdf").id.unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(
        pdf.data.body.contains("Quảng bá hình ảnh quốc gia"),
        "{}",
        pdf.data.body
    );
    assert_eq!(pdf.data.language, "vi");
    assert_eq!(pdf.data.attachments[0].media_type, "application/pdf");
    assert_eq!(pdf.data.attachments[0].text_status, TextStatus::Text);
    assert_eq!(pdf.provenances[0].file_name.as_deref(), Some("bao-cao.pdf"));
    // The file itself is kept by content.
    let files = dongbo_store::EvidenceStore::new(dir.path().join("files"), Default::default());
    let stored = files.open(&pdf.data.attachments[0].sha256).await.unwrap();
    assert!(stored.starts_with(b"%PDF-"));

    let scan = by_source("ban-scan.pdf");
    assert!(scan.no_text);
    let scan = items::get(db, scan.id.unwrap()).await.unwrap().unwrap();
    assert_eq!(scan.data.attachments[0].text_status, TextStatus::NoText);
    assert_eq!(scan.data.title, "ban-scan");
    assert!(scan.data.body.is_empty());

    let docx = items::get(db, by_source("ke-hoach.docx").id.unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(docx.data.title, "Kế hoạch thông tin đối ngoại");
    assert!(docx.data.body.contains("phản bác thông tin sai trái"));

    let html = items::get(db, by_source("con/bai-viet.html").id.unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(html.data.title, "Đà Nẵng đón khách quốc tế");
    assert_eq!(html.data.kind, dongbo_domain::library::ItemKind::Article);
    assert!(html.data.body.contains("một triệu khách quốc tế"));
    assert!(!html.data.body.contains("không lấy") && !html.data.body.contains("Trang chủ"));

    let markdown = items::get(db, by_source("ghi-chu.md").id.unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(markdown.data.title, "Ghi chú họp");

    let old = by_source("cu.txt");
    assert_eq!(old.converted_from.as_deref(), Some("TCVN3 (ABC)"));
    let old = items::get(db, old.id.unwrap()).await.unwrap().unwrap();
    assert!(
        old.data
            .body
            .starts_with("Cộng hòa xã hội chủ nghĩa Việt Nam"),
        "{}",
        old.data.body
    );

    let second = run(&library, &folder, &options()).await;
    assert_eq!(counts(&second), (0, 0, 6, 0), "{second:#?}");

    // An encrypted PDF in the folder: the whole import is refused, naming the file.
    std::fs::write(
        folder.join("mat.pdf"),
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R /Encrypt 2 0 R >>\n%%EOF",
    )
    .unwrap();
    std::fs::write(folder.join("moi.txt"), "Một tệp mới.").unwrap();
    let Err(ImportError::Rows(errors)) = catalogue::import(&library, &folder, &options()).await
    else {
        panic!("an encrypted PDF must be refused");
    };
    assert_eq!(errors[0].file, "mat.pdf");
    assert!(errors[0].message.contains("encrypted"), "{errors:?}");
    assert_eq!(
        items::count(db).await.unwrap(),
        6,
        "the new text was not stored either"
    );
}

async fn a_dry_run_says_what_would_happen_and_stores_nothing(db: &Db) {
    let dir = tempfile::tempdir().unwrap();
    let files = dir.path().join("files");
    let library = common::library(db, &files);
    let path = dir.path().join("catalogue.csv");
    std::fs::write(dir.path().join("a.txt"), "Văn bản đính kèm của mục một.").unwrap();
    std::fs::write(
        &path,
        "title,kind,file,external_id\nMục một,report,a.txt,1\nMục hai,report,,2\n",
    )
    .unwrap();
    let dry = Options {
        dry_run: true,
        ..options()
    };
    let preview = run(&library, &path, &dry).await;
    assert!(preview.dry_run);
    assert_eq!(counts(&preview), (2, 0, 0, 0));
    assert!(preview.items.iter().all(|i| i.id.is_none()));
    assert_eq!(items::count(db).await.unwrap(), 0);
    assert_eq!(changes::last_seq(db).await.unwrap(), 0);
    assert!(!files.exists(), "no file stored by a dry run");

    let real = run(&library, &path, &options()).await;
    assert_eq!(counts(&real), (2, 0, 0, 0));
    let item = items::get(db, real.items[0].id.unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(item.data.body, "Văn bản đính kèm của mục một.");
    assert_eq!(item.data.attachments.len(), 1);
    std::fs::write(
        &path,
        "title,kind,file,external_id\nMục một,report,a.txt,1\nMục hai (sửa),report,,2\nMục ba,report,,3\n",
    )
    .unwrap();
    let preview = run(&library, &path, &dry).await;
    assert_eq!(counts(&preview), (1, 1, 1, 0));
    assert_eq!(items::count(db).await.unwrap(), 2);
}
