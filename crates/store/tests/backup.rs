//! Backups on SQLite and on PostgreSQL: taken while a writer keeps writing, restored into a
//! new deployment and compared row by row and byte by byte; damaged backups, targets that
//! hold data and the other backend's backups refused, changing nothing.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use dongbo_store::{Backend, Db, EvidenceLimits, EvidenceStore, StoreError, backup, check};
use dongbo_testkit::activity::{self, Site, Value};

/// One `#[tokio::test]` per backend for each `async fn(Backend)`.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(dongbo_store::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(dongbo_store::Backend::Postgres).await;
                }
            )*
        }
    };
}

on_both_backends!(
    a_backup_restores_to_the_same_rows_and_files,
    a_backup_taken_while_a_writer_keeps_writing_is_one_consistent_state,
    a_backup_with_a_changed_byte_or_a_missing_file_is_refused_and_changes_nothing,
    a_target_that_holds_data_is_replaced_only_with_force,
    a_backup_goes_only_into_a_new_or_empty_folder,
);

/// Tables a writer changes in place (counters and heads): a backup has them as of its
/// moment, which the later source no longer shows. `dongbo check` judges them instead.
const CHANGED_IN_PLACE: [&str; 2] = ["audit_head", "program_versions"];

async fn restore_into_blank(backend: Backend, from: &std::path::Path) -> (Site, Db) {
    let (url, dir) = Site::blank(backend).expect("the backend is available");
    let files_dir = EvidenceStore::default_dir(dir.path());
    backup::restore(from, &url, &files_dir, false)
        .await
        .expect("restore into a new deployment");
    let db = Db::connect(&url).await.expect("open the restored database");
    let site = Site {
        db: db.clone(),
        url,
        files_dir,
        dir,
    };
    (site, db)
}

async fn assert_clean(db: &Db, files_dir: &std::path::Path) {
    let report = check::run(db, files_dir).await.unwrap();
    assert!(report.is_clean(), "dongbo check: {report:#?}");
}

async fn a_backup_restores_to_the_same_rows_and_files(backend: Backend) {
    let Some(source) = Site::new(backend).await else {
        return;
    };
    let work = activity::record(&source.db, &source.files_dir).await;
    let holder = tempfile::tempdir().unwrap();
    let dest = holder.path().join("backup");
    let manifest = backup::create(&source.db, &source.url, &source.files_dir, &dest, "0.1.0")
        .await
        .unwrap();
    assert_eq!(manifest.format, backup::FORMAT);
    assert_eq!(manifest.schema_version, backup::latest_schema(backend));
    assert_eq!(manifest.evidence_files(), work.files.len());
    assert!(dest.join(backup::MANIFEST).exists());

    let (target, db) = restore_into_blank(backend, &dest).await;
    assert_eq!(
        activity::table_rows(&db).await,
        activity::table_rows(&source.db).await
    );
    assert_eq!(
        activity::stored_files(&target.files_dir),
        activity::stored_files(&source.files_dir)
    );
    assert_eq!(
        backup::schema_version(&db).await.unwrap(),
        backup::schema_version(&source.db).await.unwrap()
    );
    assert_clean(&db, &target.files_dir).await;
}

async fn a_backup_taken_while_a_writer_keeps_writing_is_one_consistent_state(backend: Backend) {
    let Some(source) = Site::new(backend).await else {
        return;
    };
    let work = activity::record(&source.db, &source.files_dir).await;
    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicUsize::new(0));
    let writer = {
        let (db, files_dir) = (source.db.clone(), source.files_dir.clone());
        let (stop, written) = (stop.clone(), written.clone());
        let targets = work.untouched.clone();
        tokio::spawn(async move {
            let evidence = EvidenceStore::new(files_dir, EvidenceLimits::default());
            for (i, assignment) in targets.into_iter().enumerate() {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let text = format!("Báo cáo bổ sung số {i}\n");
                let file =
                    activity::store_file(&db, &evidence, text.as_bytes(), "bo-sung.txt").await;
                activity::submit(&db, assignment, 30, Some(file)).await;
                written.fetch_add(1, Ordering::SeqCst);
            }
        })
    };
    let wait_for = |at_least: usize| {
        let written = written.clone();
        async move {
            while written.load(Ordering::SeqCst) < at_least {
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
        }
    };
    wait_for(2).await;
    let before = activity::table_rows(&source.db).await;
    let files_before = activity::stored_files(&source.files_dir);
    let holder = tempfile::tempdir().unwrap();
    let dest = holder.path().join("backup");
    backup::create(&source.db, &source.url, &source.files_dir, &dest, "0.1.0")
        .await
        .unwrap();
    let at_end = written.load(Ordering::SeqCst);
    assert!(
        work.untouched.len() > at_end + 2,
        "the writer has work left"
    );
    wait_for(at_end + 2).await;
    stop.store(true, Ordering::SeqCst);
    writer.await.unwrap();
    let after = activity::table_rows(&source.db).await;
    let files_after = activity::stored_files(&source.files_dir);

    let (target, db) = restore_into_blank(backend, &dest).await;
    assert_clean(&db, &target.files_dir).await;
    let restored = activity::table_rows(&db).await;
    assert_eq!(
        restored.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    let reports = |tables: &BTreeMap<String, Vec<Vec<Value>>>| tables["progress_reports"].len();
    assert!(
        reports(&before) <= reports(&restored) && reports(&restored) < reports(&after),
        "the backup holds what was written before it began and not what came after it ended: \
         {} ≤ {} < {}",
        reports(&before),
        reports(&restored),
        reports(&after)
    );
    for (table, rows) in &restored {
        if CHANGED_IN_PLACE.contains(&table.as_str()) {
            continue;
        }
        for row in rows {
            assert!(
                after[table].contains(row),
                "{table}: the restored row {row:?} is not in the source"
            );
        }
        for row in &before[table] {
            assert!(
                rows.contains(row),
                "{table}: the row {row:?} written before the backup began is not restored"
            );
        }
    }
    let restored_files = activity::stored_files(&target.files_dir);
    for (path, bytes) in &restored_files {
        assert_eq!(
            Some(bytes),
            files_after.get(path),
            "the restored file {path} differs from the source's"
        );
    }
    for path in files_before.keys() {
        assert!(restored_files.contains_key(path), "{path} was not restored");
    }
}

/// What an empty target looks like after a refused restore: no table with rows, no file.
async fn assert_untouched(url: &str, files_dir: &std::path::Path) {
    assert!(
        activity::stored_files(files_dir).is_empty(),
        "files were written"
    );
    if let Some(path) = url.strip_prefix("sqlite://") {
        assert!(
            !std::path::Path::new(path).exists(),
            "the database file was created"
        );
    } else {
        let db = Db::connect(url).await.unwrap();
        let rows = activity::table_rows(&db).await;
        assert!(rows.is_empty(), "tables were created: {:?}", rows.keys());
        db.close().await;
    }
}

async fn a_backup_with_a_changed_byte_or_a_missing_file_is_refused_and_changes_nothing(
    backend: Backend,
) {
    let Some(source) = Site::new(backend).await else {
        return;
    };
    let work = activity::record(&source.db, &source.files_dir).await;
    let holder = tempfile::tempdir().unwrap();
    let dest = holder.path().join("backup");
    backup::create(&source.db, &source.url, &source.files_dir, &dest, "0.1.0")
        .await
        .unwrap();
    let file = &work.files[0];
    let relative = format!("files/{}/{file}", &file[..2]);
    let path = dest.join(&relative);
    let original = std::fs::read(&path).unwrap();
    let (url, dir) = Site::blank(backend).unwrap();
    let files_dir = EvidenceStore::default_dir(dir.path());

    let mut changed = original.clone();
    changed[3] ^= 0x20;
    std::fs::write(&path, &changed).unwrap();
    let error = backup::restore(&dest, &url, &files_dir, false)
        .await
        .unwrap_err();
    assert!(
        matches!(error, StoreError::Invalid(_)) && error.to_string().contains(&relative),
        "{error}"
    );
    assert!(backup::verify(&dest).await.is_err());
    assert_untouched(&url, &files_dir).await;

    std::fs::remove_file(&path).unwrap();
    let error = backup::restore(&dest, &url, &files_dir, true)
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains(&relative) && error.to_string().contains("missing"),
        "{error}"
    );
    assert_untouched(&url, &files_dir).await;

    std::fs::write(&path, &original).unwrap();
    let manifest = backup::verify(&dest).await.unwrap();
    let database = dest.join(&manifest.database);
    let mut bytes = std::fs::read(&database).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&database, &bytes).unwrap();
    let error = backup::restore(&dest, &url, &files_dir, false)
        .await
        .unwrap_err();
    assert!(error.to_string().contains(&manifest.database), "{error}");
    assert_untouched(&url, &files_dir).await;
}

async fn a_target_that_holds_data_is_replaced_only_with_force(backend: Backend) {
    let Some(source) = Site::new(backend).await else {
        return;
    };
    activity::record(&source.db, &source.files_dir).await;
    let holder = tempfile::tempdir().unwrap();
    let dest = holder.path().join("backup");
    backup::create(&source.db, &source.url, &source.files_dir, &dest, "0.1.0")
        .await
        .unwrap();
    let expected = activity::table_rows(&source.db).await;

    // Another deployment, at work on 47/NQ-CP alone.
    let other = Site::new(backend).await.unwrap();
    dongbo_testkit::load_47(&other.db, &dongbo_domain::Directory::bundled()).await;
    let held = activity::table_rows(&other.db).await;
    other.db.close().await;
    let error = backup::restore(&dest, &other.url, &other.files_dir, false)
        .await
        .unwrap_err();
    assert!(
        matches!(error, StoreError::WrongState(_))
            && error.to_string().contains("--force")
            && error.to_string().contains("1 programs"),
        "{error}"
    );
    let db = Db::connect(&other.url).await.unwrap();
    assert_eq!(activity::table_rows(&db).await, held, "nothing changed");
    db.close().await;

    let restored = backup::restore(&dest, &other.url, &other.files_dir, true)
        .await
        .unwrap();
    assert!(restored.replaced);
    let db = Db::connect(&other.url).await.unwrap();
    assert_eq!(activity::table_rows(&db).await, expected);
    assert_clean(&db, &other.files_dir).await;
}

async fn a_backup_goes_only_into_a_new_or_empty_folder(backend: Backend) {
    let Some(source) = Site::new(backend).await else {
        return;
    };
    let dest = tempfile::tempdir().unwrap();
    std::fs::write(dest.path().join("notes.txt"), "giữ lại").unwrap();
    let error = backup::create(
        &source.db,
        &source.url,
        &source.files_dir,
        dest.path(),
        "0.1.0",
    )
    .await
    .unwrap_err();
    assert!(error.to_string().contains("not empty"), "{error}");
    assert_eq!(
        std::fs::read_dir(dest.path()).unwrap().count(),
        1,
        "nothing was written"
    );
}

#[tokio::test]
async fn a_backup_of_one_backend_is_refused_by_the_other() {
    let Some(source) = Site::new(Backend::Sqlite).await else {
        return;
    };
    let holder = tempfile::tempdir().unwrap();
    let dest = holder.path().join("backup");
    backup::create(&source.db, &source.url, &source.files_dir, &dest, "0.1.0")
        .await
        .unwrap();
    let Some((url, dir)) = Site::blank(Backend::Postgres) else {
        return;
    };
    let files_dir = EvidenceStore::default_dir(dir.path());
    let error = backup::restore(&dest, &url, &files_dir, true)
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("SQLite database and the target is PostgreSQL"),
        "{error}"
    );
    assert_untouched(&url, &files_dir).await;
}
