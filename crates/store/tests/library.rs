//! The library's items, change feed and topics on SQLite and PostgreSQL: a re-send by the same
//! key updates the same item, the same text is one item with two provenances, a batch that
//! fails part-way leaves nothing, and the change rows are in order, complete and carry the
//! items' full data.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use dongbo_domain::library::{ItemKind, Topic, Visibility, bundled_topics};
use dongbo_store::library::{
    self, Attachment, ChangeOp, Incoming, ItemData, Outcome, Provenance, TextStatus, changes,
    items, topics,
};
use dongbo_store::{Db, StoreError, audit, check};

dongbo_testkit::backend_tests!(
    an_item_is_created_read_back_and_audited,
    a_re_send_by_the_same_key_updates_the_same_item_and_the_same_data_changes_nothing,
    the_same_text_is_one_item_with_a_provenance_per_source,
    a_failure_mid_batch_leaves_nothing,
    the_change_rows_are_in_order_complete_and_carry_the_items,
    changing_an_item_to_another_items_text_is_a_conflict,
    topics_are_seeded_once_and_saved_as_a_tree,
);

fn at(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 3, minute, 0).unwrap()
}

fn data(title: &str, body: &str) -> ItemData {
    ItemData {
        title: title.to_owned(),
        summary: String::new(),
        body: body.to_owned(),
        language: "vi".to_owned(),
        language_overridden: false,
        kind: ItemKind::Article,
        owner: Some("BNG".to_owned()),
        author: Some("Nguyễn Văn An".to_owned()),
        published_on: NaiveDate::from_ymd_opt(2025, 3, 1),
        event_on: None,
        rights: None,
        licence: Some("CC BY 4.0".to_owned()),
        visibility: Visibility::Agencies(vec!["BNG".to_owned(), "BTTTT".to_owned()]),
        topics: vec!["doi-moi.chuyen-doi-so".to_owned()],
        countries: vec!["VN".to_owned(), "FR".to_owned()],
        audiences: vec!["báo chí".to_owned()],
        link_url: Some("https://mofa.gov.vn/bai-viet/1".to_owned()),
        work_id: None,
        attachments: Vec::new(),
    }
}

fn from(system: &str, external_id: Option<&str>, minute: u32) -> Option<Provenance> {
    Some(Provenance {
        system: system.to_owned(),
        external_id: external_id.map(str::to_owned),
        url: None,
        file_name: None,
        received_at: at(minute),
    })
}

/// The library items' audit actions, oldest first (the log lists newest first).
async fn library_audit_actions(db: &Db) -> Vec<String> {
    let mut actions: Vec<String> = audit::list(db, &Default::default(), 1000, 0)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.entity == "library_item")
        .map(|e| e.action)
        .collect();
    actions.reverse();
    actions
}

async fn an_item_is_created_read_back_and_audited(db: &Db) {
    let incoming = Incoming {
        data: data(
            "Thông tin đối ngoại 2025",
            "Nội dung  bài viết\nvề Đà Nẵng.",
        ),
        provenance: from("BNG", Some("bv-1"), 1),
    };
    let written = items::upsert(db, &incoming, "lan", at(1)).await.unwrap();
    assert_eq!(written.outcome, Outcome::Created);
    let item = items::get(db, written.id).await.unwrap().unwrap();
    assert_eq!(item.data, incoming.data);
    assert_eq!(item.provenances, vec![incoming.provenance.clone().unwrap()]);
    assert_eq!(
        item.content_hash,
        library::content_hash("nội dung bài viết về đà nẵng.")
    );
    assert_eq!((item.created_by.as_str(), item.created_at), ("lan", at(1)));
    assert_eq!(
        items::find_by_key(db, "BNG", "bv-1").await.unwrap(),
        Some(written.id)
    );
    assert_eq!(items::find_by_key(db, "BNG", "bv-2").await.unwrap(), None);
    assert_eq!(library_audit_actions(db).await, ["library_item.create"]);
    assert!(audit::verify(db).await.unwrap().is_intact());
    assert_eq!(items::get(db, written.id + 1000).await.unwrap(), None);
}

async fn a_re_send_by_the_same_key_updates_the_same_item_and_the_same_data_changes_nothing(
    db: &Db,
) {
    let first = Incoming {
        data: data("Bản tin số 1", "Văn bản thứ nhất."),
        provenance: from("HN", Some("42"), 1),
    };
    let created = items::upsert(db, &first, "he-thong-hn", at(1))
        .await
        .unwrap();
    let again = items::upsert(db, &first, "he-thong-hn", at(2))
        .await
        .unwrap();
    assert_eq!(again.id, created.id);
    assert_eq!(again.outcome, Outcome::Unchanged);
    assert_eq!(changes::last_seq(db).await.unwrap(), 1, "nothing written");

    let mut changed = first.clone();
    changed.data.title = "Bản tin số 1 (sửa)".to_owned();
    changed.data.body = "Văn bản thứ nhất, đã sửa.".to_owned();
    changed.provenance = from("HN", Some("42"), 3);
    let updated = items::upsert(db, &changed, "he-thong-hn", at(3))
        .await
        .unwrap();
    assert_eq!(
        (updated.id, updated.outcome),
        (created.id, Outcome::Updated)
    );
    assert_eq!(items::count(db).await.unwrap(), 1);
    let item = items::get(db, created.id).await.unwrap().unwrap();
    assert_eq!(item.data.title, "Bản tin số 1 (sửa)");
    assert_eq!(item.provenances.len(), 1);
    assert_eq!(item.provenances[0].received_at, at(3));
    assert_eq!(
        (item.updated_by.as_str(), item.updated_at),
        ("he-thong-hn", at(3))
    );
    assert_eq!(
        library_audit_actions(db).await,
        ["library_item.create", "library_item.update"]
    );
    // The same external id from another system is another item.
    let elsewhere = Incoming {
        data: data("Bản tin khác", "Một văn bản khác."),
        provenance: from("HCM", Some("42"), 4),
    };
    let other = items::upsert(db, &elsewhere, "he-thong-hcm", at(4))
        .await
        .unwrap();
    assert_ne!(other.id, created.id);
    assert_eq!(other.outcome, Outcome::Created);
}

async fn the_same_text_is_one_item_with_a_provenance_per_source(db: &Db) {
    let body = "Sách trắng Quốc phòng Việt Nam.";
    let first = Incoming {
        data: data("Sách trắng", body),
        provenance: from("BQP", Some("st-2019"), 1),
    };
    let created = items::upsert(db, &first, "bqp", at(1)).await.unwrap();
    // The same text, spaced and cased differently, from another system.
    let copy = Incoming {
        data: data(
            "Sách trắng (bản sao)",
            "  SÁCH TRẮNG   quốc phòng Việt Nam. ",
        ),
        provenance: from("BNG", Some("kho-77"), 2),
    };
    let merged = items::upsert(db, &copy, "bng", at(2)).await.unwrap();
    assert_eq!((merged.id, merged.outcome), (created.id, Outcome::Merged));
    let item = items::get(db, created.id).await.unwrap().unwrap();
    assert_eq!(item.data.title, "Sách trắng", "the first item's data stay");
    let systems: Vec<&str> = item.provenances.iter().map(|p| p.system.as_str()).collect();
    assert_eq!(systems, ["BQP", "BNG"]);
    // Its key now names the item too: the re-send is that item, unchanged or updated.
    assert_eq!(
        items::find_by_key(db, "BNG", "kho-77").await.unwrap(),
        Some(created.id)
    );
    // Sent again without a key, by the same source: nothing new.
    let unkeyed = Incoming {
        data: data("Sách trắng", body),
        provenance: from("BQP", None, 3),
    };
    let first_unkeyed = items::upsert(db, &unkeyed, "bqp", at(3)).await.unwrap();
    assert_eq!(first_unkeyed.outcome, Outcome::Merged);
    let mut later = unkeyed.clone();
    later.provenance.as_mut().unwrap().received_at = at(5);
    let second_unkeyed = items::upsert(db, &later, "bqp", at(5)).await.unwrap();
    assert_eq!(second_unkeyed.outcome, Outcome::Unchanged);
    assert_eq!(items::count(db).await.unwrap(), 1);
    assert_eq!(
        items::by_content_hash(db, &library::content_hash(body).unwrap())
            .await
            .unwrap(),
        Some(created.id)
    );
    // Diacritics make another text.
    let minimal_pair = Incoming {
        data: data("Đường", "Con đường."),
        provenance: None,
    };
    let other = Incoming {
        data: data("Dương", "Con dương."),
        provenance: None,
    };
    let a = items::upsert(db, &minimal_pair, "lan", at(6))
        .await
        .unwrap();
    let b = items::upsert(db, &other, "lan", at(6)).await.unwrap();
    assert_ne!(a.id, b.id);
}

async fn a_failure_mid_batch_leaves_nothing(db: &Db) {
    let mut broken = data("Tệp không có", "Mục thứ hai.");
    broken.attachments.push(Attachment {
        // No evidence file has this hash: the foreign key refuses the row.
        sha256: "0".repeat(64),
        name: "khong-co.pdf".to_owned(),
        media_type: "application/pdf".to_owned(),
        text_status: TextStatus::Text,
    });
    let batch = vec![
        Incoming {
            data: data("Mục một", "Mục thứ nhất."),
            provenance: from("BNG", Some("1"), 1),
        },
        Incoming {
            data: broken,
            provenance: from("BNG", Some("2"), 1),
        },
        Incoming {
            data: data("Mục ba", "Mục thứ ba."),
            provenance: from("BNG", Some("3"), 1),
        },
    ];
    let error = items::write_batch(db, &batch, "lan", at(1))
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("item 2 of the batch («Tệp không có»)"),
        "{error}"
    );
    assert_eq!(items::count(db).await.unwrap(), 0);
    assert_eq!(changes::last_seq(db).await.unwrap(), 0);
    assert!(changes::changes_after(db, 0, 10).await.unwrap().is_empty());
    assert!(library_audit_actions(db).await.is_empty());
    assert_eq!(items::find_by_key(db, "BNG", "1").await.unwrap(), None);

    // Without the broken one, the batch is written whole; again, it changes nothing.
    let good = [batch[0].clone(), batch[2].clone()];
    let written = items::write_batch(db, &good, "lan", at(2)).await.unwrap();
    assert!(written.iter().all(|w| w.outcome == Outcome::Created));
    let again = items::write_batch(db, &good, "lan", at(3)).await.unwrap();
    assert!(again.iter().all(|w| w.outcome == Outcome::Unchanged));
    assert_eq!(
        written.iter().map(|w| w.id).collect::<Vec<_>>(),
        again.iter().map(|w| w.id).collect::<Vec<_>>()
    );
    assert_eq!(changes::last_seq(db).await.unwrap(), 2);
}

async fn the_change_rows_are_in_order_complete_and_carry_the_items(db: &Db) {
    let mut ids = Vec::new();
    for n in 0..4 {
        let incoming = Incoming {
            data: data(&format!("Mục {n}"), &format!("Nội dung {n}.")),
            provenance: from("BTTTT", Some(&n.to_string()), n),
        };
        ids.push(items::upsert(db, &incoming, "lan", at(n)).await.unwrap().id);
    }
    let mut changed = data("Mục 1, sửa", "Nội dung 1, sửa.");
    changed.visibility = Visibility::Public;
    let updated = items::update(db, ids[1], &changed, "lan", at(10))
        .await
        .unwrap();
    assert_eq!(updated.outcome, Outcome::Updated);
    items::delete(db, ids[2], "lan", at(11)).await.unwrap();
    assert_eq!(items::get(db, ids[2]).await.unwrap(), None);
    assert!(matches!(
        items::delete(db, ids[2], "lan", at(12)).await,
        Err(StoreError::NotFound(_))
    ));

    let all = changes::changes_after(db, 0, 100).await.unwrap();
    let seqs: Vec<i64> = all.iter().map(|c| c.seq).collect();
    assert_eq!(seqs, [1, 2, 3, 4, 5, 6]);
    let ops: Vec<(i64, ChangeOp)> = all.iter().map(|c| (c.item_id, c.op)).collect();
    assert_eq!(
        ops,
        [
            (ids[0], ChangeOp::Upsert),
            (ids[1], ChangeOp::Upsert),
            (ids[2], ChangeOp::Upsert),
            (ids[3], ChangeOp::Upsert),
            (ids[1], ChangeOp::Upsert),
            (ids[2], ChangeOp::Delete),
        ]
    );
    assert_eq!(all[5].at, at(11));
    // Each upsert carries the item as it is now (the deleted one is gone: its delete follows).
    assert_eq!(all[1].item.as_ref().unwrap().data, changed);
    assert_eq!(all[2].item, None);
    assert_eq!(all[5].item, None);
    assert_eq!(
        all[0].item.as_ref().unwrap().provenances[0]
            .external_id
            .as_deref(),
        Some("0")
    );
    // Paging resumes after a cursor.
    let page = changes::changes_after(db, 2, 2).await.unwrap();
    assert_eq!(page.iter().map(|c| c.seq).collect::<Vec<_>>(), [3, 4]);
    assert!(changes::changes_after(db, 6, 10).await.unwrap().is_empty());
    assert_eq!(changes::last_seq(db).await.unwrap(), 6);

    let report = check::run(db, &std::env::temp_dir().join("dongbo-no-files"))
        .await
        .unwrap();
    let library = report.checks.iter().find(|c| c.name == "library").unwrap();
    assert_eq!(library.checked, 3);
    assert!(library.problems.is_empty(), "{:?}", library.problems);
}

async fn changing_an_item_to_another_items_text_is_a_conflict(db: &Db) {
    let a = items::upsert(
        db,
        &Incoming {
            data: data("A", "Văn bản A."),
            provenance: None,
        },
        "lan",
        at(1),
    )
    .await
    .unwrap();
    let b = items::upsert(
        db,
        &Incoming {
            data: data("B", "Văn bản B."),
            provenance: None,
        },
        "lan",
        at(1),
    )
    .await
    .unwrap();
    let error = items::update(db, b.id, &data("B", "văn bản a."), "lan", at(2))
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::Conflict(_)), "{error}");
    assert!(error.to_string().contains(&a.id.to_string()), "{error}");
    assert_eq!(
        items::get(db, b.id).await.unwrap().unwrap().data.body,
        "Văn bản B."
    );
    assert!(matches!(
        items::update(db, 999_999, &data("C", "C."), "lan", at(2)).await,
        Err(StoreError::NotFound(_))
    ));
}

async fn topics_are_seeded_once_and_saved_as_a_tree(db: &Db) {
    let shipped = bundled_topics();
    assert_eq!(
        topics::seed(db, &shipped, "system", at(1)).await.unwrap(),
        shipped.len()
    );
    assert_eq!(
        topics::seed(db, &shipped, "system", at(2)).await.unwrap(),
        0
    );
    let stored = topics::all(db).await.unwrap();
    assert_eq!(
        stored.iter().map(|t| t.topic.clone()).collect::<Vec<_>>(),
        shipped
    );
    let new = Topic {
        code: "doi-moi.ai".to_owned(),
        parent: Some("doi-moi".to_owned()),
        name_vi: "Trí tuệ nhân tạo".to_owned(),
        name_en: "Artificial intelligence".to_owned(),
    };
    topics::save(db, &new, "admin", at(3)).await.unwrap();
    let mut renamed = new.clone();
    renamed.name_en = "AI".to_owned();
    topics::save(db, &renamed, "admin", at(4)).await.unwrap();
    let stored = topics::all(db).await.unwrap();
    assert_eq!(stored.last().unwrap().topic, renamed);
    assert_eq!(stored.len(), shipped.len() + 1);
    let orphan = Topic {
        parent: Some("khong-co".to_owned()),
        ..new.clone()
    };
    assert!(matches!(
        topics::save(db, &orphan, "admin", at(5)).await,
        Err(StoreError::Invalid(_))
    ));
    let cycle = Topic {
        code: "doi-moi".to_owned(),
        parent: Some("doi-moi.ai".to_owned()),
        name_vi: "Đổi mới".to_owned(),
        name_en: "New".to_owned(),
    };
    let error = topics::save(db, &cycle, "admin", at(6)).await.unwrap_err();
    assert!(error.to_string().contains("under itself"), "{error}");
}
