//! Who reads and who writes library items, on SQLite and PostgreSQL: `get` for anonymous
//! callers, another agency, the owner's people and an admin across the three visibilities;
//! edits by the owner's librarian only; a push by (system, external id) that a retry or a
//! re-send never doubles; the change feed as each reader sees it.

mod common;

use dongbo_domain::access::{ROOT_AGENCY, Role};
use dongbo_domain::library::Visibility;
use dongbo_library::{Error, ItemInput};
use dongbo_store::Db;
use dongbo_store::library::{ChangeOp, Outcome};

dongbo_testkit::backend_tests!(
    each_reader_gets_what_visibility_allows_and_nothing_else,
    only_the_owners_librarian_or_an_admin_edits_an_item,
    a_push_by_the_same_key_updates_the_same_item_and_a_retry_changes_nothing,
    the_change_feed_shows_each_reader_only_what_they_may_read,
);

fn input(title: &str, owner: &str, visibility: &str, visible_to: &[&str]) -> ItemInput {
    ItemInput {
        title: title.to_owned(),
        kind: "report".to_owned(),
        owner: Some(owner.to_owned()),
        visibility: Some(visibility.to_owned()),
        visible_to: visible_to.iter().map(|c| (*c).to_owned()).collect(),
        body: Some(format!("Nội dung của {title}.")),
        ..ItemInput::default()
    }
}

async fn each_reader_gets_what_visibility_allows_and_nothing_else(db: &Db) {
    let dir = tempfile::tempdir().unwrap();
    let library = common::library(db, dir.path());
    library.seed_topics().await.unwrap();
    let librarian = common::caller("thu.thu", &[(Role::Librarian, "BNG")]);
    let public = library
        .create(&librarian, &input("Công khai", "BNG", "public", &[]))
        .await
        .unwrap()
        .id;
    let internal = library
        .create(&librarian, &input("Nội bộ", "BNG", "government", &[]))
        .await
        .unwrap()
        .id;
    let restricted = library
        .create(&librarian, &input("Hạn chế", "BNG", "agencies", &["BQP"]))
        .await
        .unwrap()
        .id;

    let other_agency = common::caller("bvh", &[(Role::Viewer, "BVHTTDL")]);
    let named_agency = common::caller("bqp", &[(Role::Reporter, "BQP")]);
    let owner_people = common::caller("bng", &[(Role::Viewer, "BNG")]);
    let admin = common::caller("admin", &[(Role::Admin, ROOT_AGENCY)]);
    let no_role = common::caller("moi", &[]);
    // (reader, [public, internal, restricted])
    let matrix: [(&str, Option<&dongbo_store::accounts::Caller>, [bool; 3]); 6] = [
        ("anonymous", None, [true, false, false]),
        ("a user with no role", Some(&no_role), [true, false, false]),
        ("another agency", Some(&other_agency), [true, true, false]),
        (
            "the agency it is restricted to",
            Some(&named_agency),
            [true, true, true],
        ),
        (
            "the owner's people",
            Some(&owner_people),
            [true, true, true],
        ),
        ("an admin on CP", Some(&admin), [true, true, true]),
    ];
    for (who, caller, expected) in matrix {
        for (id, readable) in [public, internal, restricted].into_iter().zip(expected) {
            let got = library.get(caller, id).await;
            match (readable, got) {
                (true, Ok(item)) => assert_eq!(item.id, id),
                (false, Err(Error::NotFound)) => {}
                (want, got) => panic!("{who}, item {id}: wanted readable={want}, got {got:?}"),
            }
        }
    }
    assert!(matches!(
        library.get(Some(&admin), restricted + 100).await,
        Err(Error::NotFound)
    ));
}

async fn only_the_owners_librarian_or_an_admin_edits_an_item(db: &Db) {
    let dir = tempfile::tempdir().unwrap();
    let library = common::library(db, dir.path());
    let librarian = common::caller("thu.thu", &[(Role::Librarian, "BNG")]);
    let outsider = common::caller("thu.thu.bqp", &[(Role::Librarian, "BQP")]);
    let approver = common::caller("lanh.dao", &[(Role::Approver, "BNG")]);
    let admin = common::caller("admin", &[(Role::Admin, "BNG")]);
    // An approver of the agency may not write the library.
    assert!(matches!(
        library
            .create(&approver, &input("A", "BNG", "public", &[]))
            .await,
        Err(Error::Forbidden)
    ));
    // A librarian of another agency may not write in its name.
    assert!(matches!(
        library
            .create(&outsider, &input("A", "BNG", "public", &[]))
            .await,
        Err(Error::Forbidden)
    ));
    let created = library
        .create(&librarian, &input("A", "BNG", "public", &[]))
        .await
        .unwrap();
    assert_eq!(created.outcome, Outcome::Created);
    // Bad input names its fields and stores nothing.
    let mut bad = input("", "BNG", "agencies", &[]);
    bad.published_on = Some("hôm qua".to_owned());
    let Err(Error::Invalid(fields)) = library.create(&librarian, &bad).await else {
        panic!("bad input must be refused");
    };
    let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
    assert!(
        names.contains(&"title")
            && names.contains(&"visibility")
            && names.contains(&"published_on"),
        "{names:?}"
    );
    // The outsider may read a public item but not change it; a restricted one is not found.
    let mut changed = input("A, sửa", "BNG", "public", &[]);
    assert!(matches!(
        library.update(&outsider, created.id, &changed).await,
        Err(Error::Forbidden)
    ));
    // Moving an item to an agency the editor does not cover is refused.
    changed.owner = Some("BQP".to_owned());
    assert!(matches!(
        library.update(&librarian, created.id, &changed).await,
        Err(Error::Forbidden)
    ));
    changed.owner = Some("BNG".to_owned());
    changed.visibility = Some("agencies".to_owned());
    changed.visible_to = vec!["BNG".to_owned()];
    let updated = library.update(&admin, created.id, &changed).await.unwrap();
    assert_eq!(updated.outcome, Outcome::Updated);
    assert!(matches!(
        library.delete(&outsider, created.id).await,
        Err(Error::NotFound)
    ));
    library.delete(&librarian, created.id).await.unwrap();
    assert!(matches!(
        library.get(Some(&admin), created.id).await,
        Err(Error::NotFound)
    ));
}

async fn a_push_by_the_same_key_updates_the_same_item_and_a_retry_changes_nothing(db: &Db) {
    let dir = tempfile::tempdir().unwrap();
    let library = common::library(db, dir.path());
    let system = common::caller("he-thong-bng", &[(Role::Librarian, "BNG")]);
    let mut sent = input("Tin từ cổng thông tin", "", "public", &[]);
    sent.owner = None;
    let first = library.push(&system, "BNG", "tin-42", &sent).await.unwrap();
    assert_eq!(first.outcome, Outcome::Created);
    let item = library.get(None, first.id).await.unwrap();
    assert_eq!(
        item.data.owner.as_deref(),
        Some("BNG"),
        "the system's agency owns it"
    );
    assert_eq!(item.provenances[0].external_id.as_deref(), Some("tin-42"));
    let retry = library.push(&system, "BNG", "tin-42", &sent).await.unwrap();
    assert_eq!((retry.id, retry.outcome), (first.id, Outcome::Unchanged));
    let last = library.last_seq().await.unwrap();

    sent.title = "Tin từ cổng thông tin (cập nhật)".to_owned();
    sent.body = Some("Nội dung đã cập nhật.".to_owned());
    let resent = library.push(&system, "BNG", "tin-42", &sent).await.unwrap();
    assert_eq!((resent.id, resent.outcome), (first.id, Outcome::Updated));
    assert_eq!(library.last_seq().await.unwrap(), last + 1);
    assert_eq!(
        library.get(None, first.id).await.unwrap().data.title,
        "Tin từ cổng thông tin (cập nhật)"
    );
    // Another agency's system cannot push into BNG's key.
    let other = common::caller("he-thong-bqp", &[(Role::Librarian, "BQP")]);
    assert!(matches!(
        library.push(&other, "BNG", "tin-42", &sent).await,
        Err(Error::Forbidden)
    ));
    // A key is required.
    assert!(matches!(
        library.push(&system, "BNG", "  ", &sent).await,
        Err(Error::Invalid(_))
    ));
    library
        .delete_pushed(&system, "BNG", "tin-42")
        .await
        .unwrap();
    assert!(matches!(
        library.delete_pushed(&system, "BNG", "tin-42").await,
        Err(Error::NotFound)
    ));
    // Pushed again after its removal: a new item.
    let again = library.push(&system, "BNG", "tin-42", &sent).await.unwrap();
    assert_eq!(again.outcome, Outcome::Created);
    assert_ne!(again.id, first.id);
}

async fn the_change_feed_shows_each_reader_only_what_they_may_read(db: &Db) {
    let dir = tempfile::tempdir().unwrap();
    let library = common::library(db, dir.path());
    let librarian = common::caller("thu.thu", &[(Role::Librarian, "BNG")]);
    let public = library
        .create(&librarian, &input("Công khai", "BNG", "public", &[]))
        .await
        .unwrap()
        .id;
    let restricted = library
        .create(&librarian, &input("Hạn chế", "BNG", "agencies", &["BNG"]))
        .await
        .unwrap()
        .id;
    let everything = library
        .changes_after(&dongbo_domain::library::Readership::Everything, 0, 100)
        .await
        .unwrap();
    assert_eq!(everything.len(), 2);
    assert!(
        everything
            .iter()
            .all(|c| c.op == ChangeOp::Upsert && c.item.is_some())
    );
    let anonymous = library.readership(None);
    let seen = library.changes_after(&anonymous, 0, 100).await.unwrap();
    assert_eq!(seen[0].item.as_ref().map(|i| i.id), Some(public));
    assert_eq!(
        (seen[1].item_id, seen[1].op),
        (restricted, ChangeOp::Delete)
    );
    assert!(
        seen[1].item.is_none(),
        "no data of an item the reader may not read"
    );
    assert!(
        library
            .readership(Some(&librarian))
            .may_read(&Visibility::Agencies(vec!["BNG".into()]), None)
    );
    let page = library.changes_after(&anonymous, 1, 1).await.unwrap();
    assert_eq!(page.iter().map(|c| c.seq).collect::<Vec<_>>(), [2]);
}
