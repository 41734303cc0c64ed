//! The index as a user meets it: Vietnamese typed with or without diacritics, phrases, words
//! still being typed, other languages, filters and facets, and a reader who never sees, counts
//! or facets what they may not read.

use chrono::NaiveDate;
use dongbo_search::{
    Change, Document, Engine, Filters, Query, Reader, Results, Sort, TantivyIndex, Visibility,
};

fn document(id: i64, title: &str, body: &str) -> Document {
    Document {
        id,
        title: title.to_owned(),
        summary: String::new(),
        body: body.to_owned(),
        language: "vi".to_owned(),
        kind: "article".to_owned(),
        topics: Vec::new(),
        countries: Vec::new(),
        agency: None,
        published_on: NaiveDate::from_ymd_opt(2025, 1, 1 + (id % 28) as u32),
        visibility: Visibility::Public,
        source: format!("test:{id}"),
    }
}

fn index_of(documents: Vec<Document>) -> (TantivyIndex, tempfile::TempDir) {
    let folder = tempfile::tempdir().expect("a folder");
    let index = TantivyIndex::open(folder.path()).expect("an index");
    let changes: Vec<Change> = documents
        .into_iter()
        .map(|d| Change::Upsert(Box::new(d)))
        .collect();
    index
        .apply(&changes, changes.len() as u64)
        .expect("indexed");
    (index, folder)
}

fn search(index: &TantivyIndex, text: &str) -> Results {
    let mut query = Query::new(text, Reader::Everything);
    query.limit = 50;
    index.search(&query).expect("a search")
}

fn ids(results: &Results) -> Vec<i64> {
    results.hits.iter().map(|h| h.id).collect()
}

fn corpus() -> Vec<Document> {
    vec![
        document(
            1,
            "Hội nghị xúc tiến đầu tư tại Đà Nẵng",
            "Thành phố Đà Nẵng đón các nhà đầu tư.",
        ),
        document(
            2,
            "Thiết bị đa năng cho văn phòng",
            "Máy in đa năng, giá rẻ.",
        ),
        Document {
            language: "en".to_owned(),
            ..document(
                3,
                "Da Nang beach festival",
                "The city of Da Nang hosts a festival.",
            )
        },
        document(
            4,
            "Con đường tơ lụa",
            "Con đường nối phương Đông với phương Tây.",
        ),
        document(5, "Thái Bình Dương", "Đại dương lớn nhất: Thái Bình Dương."),
        document(6, "Người đương nhiệm", "Bộ trưởng đương nhiệm phát biểu."),
        document(
            7,
            "Công tác thông tin đối ngoại năm 2025",
            "Tăng cường thông tin đối ngoại về Việt Nam.",
        ),
        document(
            8,
            "Tin tức thông thường",
            "Thông báo về đối tác; tin ngắn về ngoại giao.",
        ),
    ]
}

#[test]
fn a_query_without_diacritics_finds_the_accented_text_and_ranks_exact_matches_first() {
    let (index, _folder) = index_of(corpus());
    let typed_plain = search(&index, "da nang");
    let found = ids(&typed_plain);
    for id in [1, 2, 3] {
        assert!(found.contains(&id), "«da nang» finds {id}: {found:?}");
    }
    // Typed with diacritics, only Đà Nẵng: not "đa năng" (multi-purpose), not the plain text.
    assert_eq!(ids(&search(&index, "Đà Nẵng")), [1]);
    assert_eq!(ids(&search(&index, "đa năng")), [2]);
}

#[test]
fn words_typed_plain_are_offered_as_the_hits_write_them() {
    let (index, _folder) = index_of(corpus());
    let mut readings = search(&index, "da nang").readings;
    readings.sort();
    // "Da Nang" of the English item carries no diacritics: nothing to offer for it.
    assert_eq!(readings, ["Đà Nẵng", "đa năng"]);
    assert_eq!(search(&index, "duong").readings.len(), 3);
    // Typed with diacritics, or quoted, the words mean what they say.
    assert!(search(&index, "Đà Nẵng").readings.is_empty());
    assert!(search(&index, "da Nẵng").readings.is_empty());
    assert!(search(&index, "\"da nang\"").readings.is_empty());
}

#[test]
fn a_query_typed_plain_ranks_the_readers_language_first() {
    let (index, _folder) = index_of(corpus());
    let ranked = |language: Option<&str>| {
        let mut query = Query::new("da nang", Reader::Everything);
        query.language_first = language.map(str::to_owned);
        ids(&index.search(&query).expect("a search"))
    };
    // Typed without diacritics no form is preferred: the English "Da Nang" is no better a
    // match than "Đà Nẵng", and the Vietnamese page shows its own language first…
    let vietnamese = ranked(Some("vi"));
    assert_eq!(vietnamese.len(), 3, "{vietnamese:?}");
    assert_eq!(vietnamese[2], 3, "{vietnamese:?}");
    // …the English page the English item.
    assert_eq!(ranked(Some("en"))[0], 3);
    // A word typed with diacritics means itself, whatever the reader's language.
    let mut exact = Query::new("Đà Nẵng", Reader::Everything);
    exact.language_first = Some("en".to_owned());
    assert_eq!(ids(&index.search(&exact).expect("a search")), [1]);
}

#[test]
fn minimal_pairs_stay_apart_when_typed_with_diacritics_and_meet_without() {
    let (index, _folder) = index_of(corpus());
    assert_eq!(ids(&search(&index, "đường")), [4]);
    assert_eq!(ids(&search(&index, "dương")), [5]);
    assert_eq!(ids(&search(&index, "đương")), [6]);
    let mut plain = ids(&search(&index, "duong"));
    plain.sort();
    assert_eq!(plain, [4, 5, 6]);
}

#[test]
fn a_misplaced_tone_mark_falls_back_to_the_folded_words_and_says_so() {
    let (index, _folder) = index_of(corpus());
    let results = search(&index, "Đa Nẵng");
    assert!(results.folded, "{results:?}");
    assert!(ids(&results).contains(&1));
    assert!(!search(&index, "Đà Nẵng").folded);
}

#[test]
fn a_phrase_matches_words_side_by_side_and_adjacent_words_rank_first() {
    let (index, _folder) = index_of(corpus());
    assert_eq!(ids(&search(&index, "\"thông tin đối ngoại\"")), [7]);
    assert_eq!(ids(&search(&index, "\"thong tin doi ngoai\"")), [7]);
    // Unquoted, every word is required anywhere; the one with them side by side ranks first.
    let loose = ids(&search(&index, "thong tin doi ngoai"));
    assert_eq!(loose, [7, 8]);
}

#[test]
fn the_word_being_typed_matches_the_beginnings_of_title_words() {
    let (index, _folder) = index_of(corpus());
    let mut query = Query::new("hội ngh", Reader::Everything);
    query.prefix = true;
    assert_eq!(ids(&index.search(&query).expect("a search")), [1]);
    // Once a space is typed the word is whole.
    query.text = "hội ngh ".to_owned();
    assert!(index.search(&query).expect("a search").hits.is_empty());
}

#[test]
fn english_and_norwegian_are_found_by_their_stems() {
    let mut english = document(10, "Trade agreements signed", "Two agreements were signed.");
    english.language = "en".to_owned();
    let mut norwegian = document(11, "Avtalene om handel", "Avtalene ble signert i Oslo.");
    norwegian.language = "no".to_owned();
    let mut polish = document(12, "Umowy handlowe", "Podpisano umowy w Warszawie.");
    polish.language = "pl".to_owned();
    let (index, _folder) = index_of(vec![english, norwegian, polish]);
    assert_eq!(ids(&search(&index, "agreement")), [10]);
    assert_eq!(ids(&search(&index, "avtale")), [11]);
    assert_eq!(ids(&search(&index, "Warszawie")), [12]);
    assert_eq!(ids(&search(&index, "warszawie")), [12]);
}

#[test]
fn snippets_show_the_words_found_in_the_body() {
    let (index, _folder) = index_of(corpus());
    let results = search(&index, "nha dau tu");
    let hit = &results.hits[0];
    assert_eq!(hit.id, 1);
    let highlighted: Vec<&str> = hit
        .snippet
        .pieces()
        .into_iter()
        .filter(|(_, h)| *h)
        .map(|(t, _)| t)
        .collect();
    assert_eq!(highlighted, ["nhà", "đầu", "tư"], "{:?}", hit.snippet);
}

fn visibility_corpus() -> Vec<Document> {
    let mut documents = Vec::new();
    let cases = [
        (Visibility::Public, Some("BNG")),
        (Visibility::Government, Some("BNG")),
        (
            Visibility::Agencies(vec!["BVHTTDL".to_owned()]),
            Some("BNG"),
        ),
        (
            Visibility::Agencies(vec!["BTTTT".to_owned()]),
            Some("BTTTT"),
        ),
        (Visibility::Government, None),
    ];
    for (id, (visibility, agency)) in cases.into_iter().enumerate() {
        let mut d = document(id as i64 + 1, "Hợp tác văn hóa", "Hợp tác văn hóa quốc tế");
        d.kind = ["article", "speech", "report", "dataset", "white_paper"][id].to_owned();
        d.visibility = visibility;
        d.agency = agency.map(str::to_owned);
        documents.push(d);
    }
    documents
}

#[test]
fn a_reader_never_finds_counts_or_facets_what_they_may_not_read() {
    let (index, _folder) = index_of(visibility_corpus());
    let readers = [
        (Reader::Public, vec![1]),
        (Reader::Government { agencies: vec![] }, vec![1, 2, 5]),
        (
            Reader::Government {
                agencies: vec!["BVHTTDL".to_owned()],
            },
            vec![1, 2, 3, 5],
        ),
        (
            Reader::Government {
                agencies: vec!["BNG".to_owned()],
            },
            vec![1, 2, 3, 5],
        ),
        (
            Reader::Government {
                agencies: vec!["BTTTT".to_owned()],
            },
            vec![1, 2, 4, 5],
        ),
        (Reader::Everything, vec![1, 2, 3, 4, 5]),
    ];
    for (reader, expected) in readers {
        for text in ["hop tac", ""] {
            let query = Query::new(text, reader.clone());
            let results = index.search(&query).expect("a search");
            let mut found = ids(&results);
            found.sort();
            assert_eq!(found, expected, "{reader:?} «{text}»");
            assert_eq!(results.total, expected.len() as u64, "{reader:?}");
            let kinds: u64 = results.facets["kind"].iter().map(|(_, n)| n).sum();
            assert_eq!(
                kinds,
                expected.len() as u64,
                "{reader:?}: {:?}",
                results.facets
            );
            let visibility: u64 = results.facets["visibility"].iter().map(|(_, n)| n).sum();
            assert_eq!(visibility, expected.len() as u64, "{reader:?}");
        }
    }
}

#[test]
fn filters_narrow_facets_count_and_pages_follow_each_other() {
    let mut documents = Vec::new();
    for id in 1..=30 {
        let mut d = document(id, "Ngoại giao văn hóa", "Ngoại giao văn hóa Việt Nam");
        d.kind = if id % 3 == 0 { "speech" } else { "article" }.to_owned();
        d.language = if id % 5 == 0 { "en" } else { "vi" }.to_owned();
        d.topics = vec!["ngoai-giao-van-hoa".to_owned()];
        d.countries = if id % 2 == 0 {
            vec!["LA".to_owned()]
        } else {
            vec!["KH".to_owned(), "LA".to_owned()]
        };
        d.published_on = NaiveDate::from_ymd_opt(2020 + (id % 4) as i32, 6, 1);
        documents.push(d);
    }
    let (index, _folder) = index_of(documents);
    let mut query = Query::new("ngoai giao", Reader::Everything);
    let all = index.search(&query).expect("a search");
    assert_eq!(all.total, 30);
    assert_eq!(
        all.facets["kind"],
        [("article".to_owned(), 20), ("speech".to_owned(), 10)]
    );
    assert_eq!(
        all.facets["language"],
        [("vi".to_owned(), 24), ("en".to_owned(), 6)]
    );
    assert_eq!(
        all.facets["country"],
        [("LA".to_owned(), 30), ("KH".to_owned(), 15)]
    );
    let years: u64 = all.facets["year"].iter().map(|(_, n)| n).sum();
    assert_eq!(years, 30);

    query.filters = Filters {
        kind: Some("speech".to_owned()),
        country: Some("KH".to_owned()),
        ..Filters::default()
    };
    let narrowed = index.search(&query).expect("a search");
    assert_eq!(narrowed.total, 5, "odd multiples of 3 up to 30");
    assert_eq!(narrowed.facets["kind"], [("speech".to_owned(), 5)]);

    query.filters = Filters {
        from: NaiveDate::from_ymd_opt(2023, 1, 1),
        ..Filters::default()
    };
    let recent = index.search(&query).expect("a search");
    assert_eq!(recent.total, 7, "ids ≡ 3 mod 4 are published in 2023");

    // Newest first, ten to a page, no hit twice.
    query.filters = Filters::default();
    query.sort = Sort::Newest;
    let mut seen = Vec::new();
    for page in 0..3 {
        query.offset = page * 10;
        let results = index.search(&query).expect("a page");
        let dates: Vec<_> = results.hits.iter().map(|h| h.published_on).collect();
        assert!(dates.windows(2).all(|w| w[0] >= w[1]), "{dates:?}");
        seen.extend(ids(&results));
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 30);
}

#[test]
fn changes_replace_and_remove_and_the_cursor_survives_a_reopening() {
    let folder = tempfile::tempdir().expect("a folder");
    {
        let index = TantivyIndex::open(folder.path()).expect("an index");
        assert_eq!(index.cursor().expect("a cursor"), None);
        index
            .apply(
                &[
                    Change::Upsert(Box::new(document(1, "Hà Nội", "Thủ đô"))),
                    Change::Upsert(Box::new(document(2, "Huế", "Cố đô"))),
                ],
                2,
            )
            .expect("applied");
        index
            .apply(
                &[
                    Change::Upsert(Box::new(document(1, "Hà Nội nghìn năm", "Thủ đô"))),
                    Change::Delete(2),
                ],
                4,
            )
            .expect("applied");
        assert_eq!(index.len(), 1);
    }
    let index = TantivyIndex::open(folder.path()).expect("the index again");
    assert_eq!(index.cursor().expect("a cursor"), Some(4));
    assert_eq!(ids(&search(&index, "nghin nam")), [1]);
    assert!(search(&index, "hue").hits.is_empty());
    index.clear().expect("cleared");
    assert_eq!(index.cursor().expect("a cursor"), None);
    assert!(index.is_empty());
}

#[test]
fn a_folder_holding_something_else_is_made_an_index_again() {
    let folder = tempfile::tempdir().expect("a folder");
    std::fs::write(folder.path().join("meta.json"), "not an index").expect("written");
    let index = TantivyIndex::open(folder.path()).expect("an index made again");
    assert_eq!(index.cursor().expect("a cursor"), None);
    index
        .apply(&[Change::Upsert(Box::new(document(1, "Hạ Long", "")))], 1)
        .expect("applied");
    assert_eq!(ids(&search(&index, "ha long")), [1]);
}

#[test]
fn a_second_opener_of_the_folder_reads_what_the_first_wrote_and_may_not_write_beside_it() {
    let folder = tempfile::tempdir().expect("a folder");
    let writer = TantivyIndex::open(folder.path()).expect("an index");
    let reader = TantivyIndex::open(folder.path()).expect("the same index, to read");
    writer
        .apply(&[Change::Upsert(Box::new(document(1, "Cần Thơ", "")))], 1)
        .expect("applied");
    assert!(search(&reader, "can tho").hits.is_empty(), "not read yet");
    reader.refresh().expect("read again");
    assert_eq!(ids(&search(&reader, "can tho")), [1]);
    let refused = reader.apply(&[Change::Delete(1)], 2);
    assert!(refused.is_err(), "two writers on one folder");
    assert_eq!(writer.cursor().expect("a cursor"), Some(1));
}

proptest::proptest! {
    #[test]
    fn any_typed_text_is_answered_never_a_panic(text in "\\PC{0,40}", prefix: bool, noise in "[\"\u{300}\u{301}đĐ ]{0,6}") {
        static INDEX: std::sync::LazyLock<(TantivyIndex, tempfile::TempDir)> =
            std::sync::LazyLock::new(|| index_of(corpus()));
        let mut query = Query::new(format!("{noise}{text}{noise}"), Reader::Public);
        query.prefix = prefix;
        let results = INDEX.0.search(&query).expect("an answer");
        for hit in &results.hits {
            for range in &hit.snippet.highlights {
                proptest::prop_assert!(hit.snippet.text.get(range.clone()).is_some());
            }
        }
    }
}
