//! The hash-chained audit log, run on SQLite and on PostgreSQL (`sqlite::…` and
//! `postgres::…` test names): appends chain, tampering is named by `verify`, concurrent
//! appends never fork the chain.

use chrono::{DateTime, Utc};
use dongbo_domain::access::PasswordPolicy;
use dongbo_store::Db;
use dongbo_store::accounts::{self, NewUser};
use dongbo_store::audit::{self, AuditEntry, AuditFilter, GENESIS_HASH};

dongbo_testkit::backend_tests!(
    an_empty_log_verifies,
    appended_entries_chain_from_the_genesis_hash_and_verify,
    entries_of_any_text_are_hashed_as_verify_recomputes_them,
    a_changed_row_is_named_by_verify,
    a_removed_row_is_named_by_verify,
    removing_the_newest_rows_is_found_through_the_head,
    an_entry_appended_in_a_rolled_back_transaction_is_not_kept,
    concurrent_appends_never_fork_the_chain,
    entries_are_listed_newest_first_filtered_and_paged,
    the_csv_export_has_a_header_and_every_entry_oldest_first,
    the_csv_export_writes_cells_a_spreadsheet_would_run_as_text,
);

fn at() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-01T08:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn entry(actor: &str, action: &str, entity_id: &str) -> AuditEntry {
    AuditEntry {
        actor: actor.to_owned(),
        action: action.to_owned(),
        entity: "user".to_owned(),
        entity_id: entity_id.to_owned(),
        before: None,
        after: Some(serde_json::json!({"tên": "Nguyễn Văn An", "n": 1})),
    }
}

/// Appends `n` entries, each in its own committed transaction.
async fn append_n(db: &Db, n: usize) {
    for i in 0..n {
        let mut tx = db.pool().begin().await.unwrap();
        audit::append(
            &mut tx,
            at(),
            &entry("admin", "user.create", &format!("u{i}")),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
}

async fn exec(db: &Db, sql: &'static str) {
    sqlx::query(sql).execute(db.pool()).await.unwrap();
}

async fn an_empty_log_verifies(db: &Db) {
    let report = audit::verify(db).await.unwrap();
    assert_eq!(report.entries, 0);
    assert_eq!(report.first_broken, None);
}

async fn appended_entries_chain_from_the_genesis_hash_and_verify(db: &Db) {
    append_n(db, 3).await;
    let mut entries = audit::list(db, &AuditFilter::default(), 10, 0)
        .await
        .unwrap();
    entries.reverse();
    assert_eq!(entries.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(entries[0].prev_hash, GENESIS_HASH);
    assert_eq!(entries[1].prev_hash, entries[0].hash);
    assert_eq!(entries[2].prev_hash, entries[1].hash);
    assert_eq!(entries[0].at, "2026-03-01T08:00:00.000000Z");
    assert_eq!(
        entries[0].after_json.as_deref(),
        Some(r#"{"n":1,"tên":"Nguyễn Văn An"}"#)
    );
    let report = audit::verify(db).await.unwrap();
    assert_eq!((report.entries, report.first_broken), (3, None));
}

/// PostgreSQL hashes an entry in SQL, SQLite in Rust; `verify` recomputes every hash in Rust.
/// Text that JSON escapes, characters of every UTF-8 length and a `seq` of two digits must
/// hash the same way.
async fn entries_of_any_text_are_hashed_as_verify_recomputes_them(db: &Db) {
    let texts = [
        "Bộ Văn hóa, Thể thao và Du lịch",
        "\"quoted\" and \\ back\\slash",
        "line\nbreak\ttab\r",
        "emoji 🇻🇳 and \u{1F600}",
        "'single' ; DROP TABLE audit_log; --",
        "\u{7f}\u{1}control",
        "",
    ];
    let mut tx = db.pool().begin().await.unwrap();
    for (i, text) in texts.iter().cycle().take(12).enumerate() {
        let mut entry = entry(text, "report.submit", &format!("{text}{i}"));
        entry.entity = (*text).to_owned();
        entry.before = (i % 2 == 0).then(|| serde_json::json!({ "text": text, "i": i }));
        entry.after = (i % 3 != 0).then(|| serde_json::json!([text, null, 1.5, true]));
        audit::append(&mut tx, at(), &entry).await.unwrap();
    }
    tx.commit().await.unwrap();
    let report = audit::verify(db).await.unwrap();
    assert_eq!(
        (report.entries, report.first_broken),
        (12, None),
        "{report:?}"
    );
    let stored = audit::list(db, &AuditFilter::default(), 20, 0)
        .await
        .unwrap();
    assert_eq!(stored.len(), 12);
    assert!(
        stored
            .iter()
            .any(|e| e.actor == "\"quoted\" and \\ back\\slash"),
        "the text is stored as given"
    );
}

async fn a_changed_row_is_named_by_verify(db: &Db) {
    append_n(db, 4).await;
    exec(db, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 2").await;
    let report = audit::verify(db).await.unwrap();
    assert_eq!(report.first_broken, Some(2), "{report:?}");
    assert!(report.problem.unwrap().contains("entry 2"));
}

async fn a_removed_row_is_named_by_verify(db: &Db) {
    append_n(db, 4).await;
    exec(db, "DELETE FROM audit_log WHERE seq = 3").await;
    let report = audit::verify(db).await.unwrap();
    assert_eq!(report.first_broken, Some(3), "{report:?}");
}

async fn removing_the_newest_rows_is_found_through_the_head(db: &Db) {
    append_n(db, 4).await;
    exec(db, "DELETE FROM audit_log WHERE seq >= 3").await;
    let report = audit::verify(db).await.unwrap();
    assert_eq!(report.first_broken, Some(3), "{report:?}");
}

async fn an_entry_appended_in_a_rolled_back_transaction_is_not_kept(db: &Db) {
    append_n(db, 1).await;
    let mut tx = db.pool().begin().await.unwrap();
    audit::append(&mut tx, at(), &entry("admin", "user.create", "gone"))
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    append_n(db, 1).await;
    let entries = audit::list(db, &AuditFilter::default(), 10, 0)
        .await
        .unwrap();
    assert_eq!(entries.iter().map(|e| e.seq).collect::<Vec<_>>(), [2, 1]);
    assert!(audit::verify(db).await.unwrap().is_intact());
}

async fn concurrent_appends_never_fork_the_chain(db: &Db) {
    // Real account changes from parallel tasks: each appends inside its own write transaction.
    let mut tasks = Vec::new();
    for i in 0..8 {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            accounts::create_user(
                &db,
                "cli",
                &NewUser {
                    username: format!("user{i}"),
                    display_name: format!("Người {i}"),
                    password: "Sen trắng 2025!".to_owned(),
                    must_change_password: false,
                },
                &PasswordPolicy::default(),
            )
            .await
            .unwrap();
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let report = audit::verify(db).await.unwrap();
    assert_eq!(
        (report.entries, report.first_broken),
        (8, None),
        "{report:?}"
    );
}

async fn entries_are_listed_newest_first_filtered_and_paged(db: &Db) {
    for (actor, id) in [("admin", "a"), ("lan", "b"), ("admin", "c"), ("admin", "d")] {
        let mut tx = db.pool().begin().await.unwrap();
        audit::append(&mut tx, at(), &entry(actor, "user.grant", id))
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    let by_admin = AuditFilter {
        actor: Some("admin".to_owned()),
        ..AuditFilter::default()
    };
    let ids = |entries: Vec<audit::AuditRecord>| {
        entries.into_iter().map(|e| e.entity_id).collect::<Vec<_>>()
    };
    assert_eq!(
        ids(audit::list(db, &by_admin, 10, 0).await.unwrap()),
        ["d", "c", "a"]
    );
    assert_eq!(ids(audit::list(db, &by_admin, 1, 1).await.unwrap()), ["c"]);
    let about_b = AuditFilter {
        entity_id: Some("b".to_owned()),
        action: Some("user.grant".to_owned()),
        ..AuditFilter::default()
    };
    assert_eq!(ids(audit::list(db, &about_b, 10, 0).await.unwrap()), ["b"]);
}

async fn the_csv_export_has_a_header_and_every_entry_oldest_first(db: &Db) {
    append_n(db, 2).await;
    let mut out = Vec::new();
    assert_eq!(audit::export_csv(db, &mut out).await.unwrap(), 2);
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert_eq!(
        lines[0],
        "seq,at,actor,action,entity,entity_id,before_json,after_json,prev_hash,hash"
    );
    assert!(lines[1].starts_with("1,2026-03-01T08:00:00.000000Z,admin,user.create,user,u0,,"));
    assert!(lines[2].starts_with("2,"));
    assert!(text.contains("Nguyễn Văn An"));
}

async fn the_csv_export_writes_cells_a_spreadsheet_would_run_as_text(db: &Db) {
    let mut tx = db.pool().begin().await.unwrap();
    for (actor, entity_id) in [("-a1", "@a1"), ("=1+1", "+1"), ("lan", "\tx")] {
        audit::append(&mut tx, at(), &entry(actor, "user.create", entity_id))
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let mut out = Vec::new();
    audit::export_csv(db, &mut out).await.unwrap();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[1].contains(",'-a1,user.create,user,'@a1,"), "{text}");
    assert!(lines[2].contains(",'=1+1,user.create,user,'+1,"), "{text}");
    assert!(lines[3].contains(",lan,user.create,user,'\tx,"), "{text}");
    assert!(
        audit::verify(db).await.unwrap().is_intact(),
        "the stored values are unchanged"
    );
}
