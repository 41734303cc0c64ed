//! Near-duplicates on SQLite and PostgreSQL: a lightly edited copy is proposed, an unrelated
//! item of the same topic and a text sharing only words that fold alike are not; a merge moves
//! provenances, topics and citations to the kept item and the removed one leaves the search;
//! a dismissal is permanent; only those who may edit both items see or decide a pair.

mod common;

use dongbo_domain::access::Role;
use dongbo_library::search::SearchParams;
use dongbo_library::{Error, ItemInput};
use dongbo_store::Db;
use dongbo_store::library::ChangeOp;

dongbo_testkit::backend_tests!(
    a_lightly_edited_copy_is_proposed_and_unrelated_or_minimal_pair_texts_are_not,
    a_merge_moves_provenances_topics_and_citations_and_the_other_leaves_the_search,
    a_dismissed_pair_is_never_proposed_again,
);

const ORIGINAL: &str = "Bộ Ngoại giao tổ chức hội nghị tổng kết công tác đối ngoại năm 2025 tại Hà \
    Nội. Hội nghị đánh giá kết quả triển khai Nghị quyết 47/NQ-CP, nêu những khó khăn trong việc \
    phối hợp giữa các bộ, ngành và địa phương, và đề ra nhiệm vụ trọng tâm cho năm 2026: đẩy mạnh \
    ngoại giao kinh tế, bảo hộ công dân, thông tin đối ngoại và hợp tác văn hóa với các nước láng \
    giềng. Các đại biểu thống nhất cần tăng cường trao đổi thông tin, hoàn thiện cơ chế báo cáo \
    định kỳ và nâng cao chất lượng nguồn nhân lực làm công tác đối ngoại ở các cơ quan trung ương \
    cũng như địa phương.";

/// The original with a few words changed and a paragraph added.
fn edited() -> String {
    format!(
        "{}\n\nNgoài ra, hội nghị cũng đã nghe báo cáo về tình hình thực hiện các chương trình \
         hợp tác quốc tế trong lĩnh vực giáo dục và y tế.",
        ORIGINAL
            .replace("năm 2025", "năm 2024")
            .replace("đẩy mạnh", "thúc đẩy")
    )
}

fn item(title: &str, body: &str, topics: &[&str]) -> ItemInput {
    ItemInput {
        title: title.to_owned(),
        kind: "report".to_owned(),
        owner: Some("BNG".to_owned()),
        visibility: Some("government".to_owned()),
        body: Some(body.to_owned()),
        topics: topics.iter().map(|t| (*t).to_owned()).collect(),
        ..ItemInput::default()
    }
}

async fn a_lightly_edited_copy_is_proposed_and_unrelated_or_minimal_pair_texts_are_not(db: &Db) {
    let files = tempfile::tempdir().expect("a folder");
    let library = common::library(db, files.path());
    library.seed_topics().await.expect("topics");
    let topic = library.topics().await.expect("topics")[0]
        .topic
        .code
        .clone();
    let librarian = common::caller("thuvien.bng", &[(Role::Librarian, "BNG")]);
    let create = |input: ItemInput| {
        let library = library.clone();
        let librarian = librarian.clone();
        async move {
            library
                .create(&librarian, &input)
                .await
                .expect("created")
                .id
        }
    };
    let original = create(item("Hội nghị tổng kết", ORIGINAL, &[&topic])).await;
    let unrelated = create(item(
        "Tuần lễ văn hóa",
        "Tuần lễ văn hóa Việt Nam tại Pháp giới thiệu âm nhạc dân tộc, ẩm thực và nghề thủ \
         công truyền thống; các nghệ nhân trình diễn tranh Đông Hồ, gốm Bát Tràng và áo dài.",
        &[&topic],
    ))
    .await;
    let city = create(item(
        "Đà Nẵng",
        "Đà Nẵng đón đoàn doanh nghiệp Nhật Bản tìm hiểu cơ hội đầu tư vào khu công nghệ cao; \
         lãnh đạo Đà Nẵng giới thiệu quy hoạch cảng biển và sân bay quốc tế.",
        &[&topic],
    ))
    .await;
    let hall = create(item(
        "Nhà thi đấu đa năng",
        "Tỉnh khánh thành nhà thi đấu đa năng phục vụ các giải thể thao trong nước; công trình \
         đa năng này còn dùng cho hội chợ và biểu diễn nghệ thuật.",
        &[&topic],
    ))
    .await;
    let copy = create(item("Hội nghị tổng kết công tác", &edited(), &[&topic])).await;
    let proposals = library
        .duplicate_proposals(&librarian)
        .await
        .expect("proposals");
    let pairs: Vec<(i64, i64)> = proposals
        .iter()
        .map(|p| (p.proposal.item_a, p.proposal.item_b))
        .collect();
    assert_eq!(
        pairs,
        vec![(original, copy)],
        "only the copy is proposed (unrelated {unrelated}, Đà Nẵng {city}, đa năng {hall})"
    );
    let view = &proposals[0];
    assert!(
        view.proposal.similarity >= 50,
        "{}",
        view.proposal.similarity
    );
    let (_, theirs) = view.difference.clone().expect("the texts differ");
    assert!(theirs.contains("năm 2024"), "{theirs}");
    // Someone who may not edit both items neither sees nor decides the pair.
    let viewer = common::caller("xem.bng", &[(Role::Viewer, "BNG")]);
    assert!(matches!(
        library.duplicate_proposals(&viewer).await,
        Err(Error::Forbidden)
    ));
    assert!(matches!(
        library.dismiss_duplicates(&viewer, view.proposal.id).await,
        Err(Error::Forbidden)
    ));
    let other = common::caller("thuvien.btc", &[(Role::Librarian, "BTC")]);
    assert!(
        library
            .duplicate_proposals(&other)
            .await
            .expect("an empty list")
            .is_empty()
    );
    assert!(matches!(
        library
            .merge_duplicates(&other, view.proposal.id, original)
            .await,
        Err(Error::Forbidden)
    ));
}

async fn a_merge_moves_provenances_topics_and_citations_and_the_other_leaves_the_search(db: &Db) {
    let files = tempfile::tempdir().expect("a folder");
    let index_dir = tempfile::tempdir().expect("a folder");
    let index = dongbo_search::TantivyIndex::open(index_dir.path()).expect("an index");
    let library = common::library(db, files.path()).with_index(std::sync::Arc::new(index));
    library.seed_topics().await.expect("topics");
    let topics: Vec<String> = library
        .topics()
        .await
        .expect("topics")
        .into_iter()
        .map(|t| t.topic.code)
        .collect();
    let librarian = common::caller("thuvien.bng", &[(Role::Librarian, "BNG")]);
    let kept = library
        .push(
            &librarian,
            "BNG",
            "bc-1",
            &item("Hội nghị tổng kết", ORIGINAL, &[&topics[0]]),
        )
        .await
        .expect("pushed")
        .id;
    let mut copy = item("Hội nghị tổng kết công tác", &edited(), &[&topics[1]]);
    copy.countries = vec!["FR".to_owned()];
    let gone = library
        .push(&librarian, "cong-thong-tin", "tin-9", &copy)
        .await
        .expect("pushed")
        .id;
    // A report cites the copy.
    let directory = dongbo_domain::Directory::bundled();
    let program = dongbo_testkit::load_47_assigned(db, &directory).await;
    let assignment = dongbo_store::assignments::for_task(db, program, "3.4")
        .await
        .expect("assignments")[0]
        .id;
    let content = dongbo_store::reports::ReportContent {
        results: "Đã tổ chức hội nghị".to_owned(),
        progress: 40,
        library_items: vec![gone],
        ..Default::default()
    };
    dongbo_store::reports::submit(
        db,
        &dongbo_store::reports::Edit {
            assignment_id: assignment,
            period: dongbo_domain::report::ReportPeriod::Once,
            content: &content,
            author: "can.bo",
            based_on: None,
            idempotency_key: None,
        },
    )
    .await
    .expect("a report citing the copy");
    let admin = common::caller("quan.tri", &[(Role::Admin, "CP")]);
    let search = |q: &str| SearchParams {
        q: q.to_owned(),
        ..Default::default()
    };
    library.catch_up().await.expect("indexed");
    let found = library
        .search(Some(&admin), &search("giáo dục và y tế"))
        .await
        .expect("searched");
    assert_eq!(found.total, 1, "the copy's own paragraph is found before");
    let proposal = library.duplicate_proposals(&librarian).await.expect("list")[0]
        .proposal
        .clone();
    let seq = library.last_seq().await.expect("seq");
    library
        .merge_duplicates(&librarian, proposal.id, kept)
        .await
        .expect("merged");
    let item = library.get(Some(&admin), kept).await.expect("kept");
    let systems: Vec<&str> = item.provenances.iter().map(|p| p.system.as_str()).collect();
    assert_eq!(systems, ["BNG", "cong-thong-tin"]);
    assert_eq!(item.data.topics, [topics[0].clone(), topics[1].clone()]);
    assert_eq!(item.data.countries, ["FR"]);
    assert_eq!(item.data.body, ORIGINAL, "the kept item's text stays");
    assert!(matches!(
        library.get(Some(&admin), gone).await,
        Err(Error::NotFound)
    ));
    let citing = dongbo_store::reports::citing_library_item(db, kept)
        .await
        .expect("citations");
    assert_eq!(citing.len(), 1, "the report now cites the kept item");
    assert!(
        dongbo_store::reports::citing_library_item(db, gone)
            .await
            .expect("citations")
            .is_empty()
    );
    // The removed item is a delete in the feed, and leaves the search.
    let feed = library
        .changes_after(&library.readership(Some(&admin)), seq, 100)
        .await
        .expect("feed");
    assert!(
        feed.iter()
            .any(|c| c.item_id == gone && c.op == ChangeOp::Delete)
    );
    let found = library
        .search(Some(&admin), &search("giáo dục và y tế"))
        .await
        .expect("searched");
    assert_eq!(found.total, 0);
    // A re-send of the removed copy's key lands on the kept item, not a new one.
    let again = library
        .push(&librarian, "cong-thong-tin", "tin-9", &copy)
        .await
        .expect("pushed");
    assert_eq!(again.id, kept);
    // Decided once: the removed item is gone, so the pair is not found any more; the store
    // keeps it as merged, with the item kept.
    assert!(matches!(
        library.dismiss_duplicates(&librarian, proposal.id).await,
        Err(Error::NotFound)
    ));
    let pair = dongbo_store::library::duplicates::of_pair(db, kept, gone)
        .await
        .expect("read")
        .expect("the pair is kept");
    assert_eq!(
        pair.state,
        dongbo_store::library::duplicates::ProposalState::Merged
    );
    assert_eq!(pair.kept_item, Some(kept));
}

async fn a_dismissed_pair_is_never_proposed_again(db: &Db) {
    let files = tempfile::tempdir().expect("a folder");
    let library = common::library(db, files.path());
    library.seed_topics().await.expect("topics");
    let librarian = common::caller("thuvien.bng", &[(Role::Librarian, "BNG")]);
    let original = library
        .create(&librarian, &item("Hội nghị", ORIGINAL, &[]))
        .await
        .expect("created")
        .id;
    let copy = library
        .create(&librarian, &item("Hội nghị", &edited(), &[]))
        .await
        .expect("created")
        .id;
    let proposals = library.duplicate_proposals(&librarian).await.expect("list");
    assert_eq!(proposals.len(), 1);
    library
        .dismiss_duplicates(&librarian, proposals[0].proposal.id)
        .await
        .expect("dismissed");
    assert!(
        library
            .duplicate_proposals(&librarian)
            .await
            .expect("list")
            .is_empty()
    );
    // Edits that keep them near do not bring the pair back, whichever item is edited.
    for (id, body) in [
        (copy, format!("{} Thêm một câu.", edited())),
        (original, format!("{ORIGINAL} Câu khác.")),
    ] {
        library
            .update(&librarian, id, &item("Hội nghị", &body, &[]))
            .await
            .expect("updated");
        assert!(
            library
                .duplicate_proposals(&librarian)
                .await
                .expect("list")
                .is_empty()
        );
    }
    let pair = dongbo_store::library::duplicates::of_pair(db, original, copy)
        .await
        .expect("read")
        .expect("the pair is kept");
    assert_eq!(
        pair.state,
        dongbo_store::library::duplicates::ProposalState::Dismissed
    );
    assert_eq!(pair.decided_by.as_deref(), Some("thuvien.bng"));
}
