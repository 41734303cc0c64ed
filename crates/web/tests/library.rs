//! The library through the server, on both backends: a librarian adds items from the form,
//! anyone searches them with or without diacritics, and what each caller may read decides
//! every answer — a matrix of caller × visibility × (hit, total, facet, item page, API item,
//! file).

mod common;

use std::collections::BTreeMap;

use common::{TestApp, apps, location};

/// The items of the matrix: (title word, visibility, visible_to).
const ITEMS: [(&str, &str, &str); 3] = [
    ("congkhai", "public", ""),
    ("noibo", "government", ""),
    ("hanche", "agencies", "BVHTTDL"),
];

/// Adds an item as `librarian` through the form; its id.
async fn add(app: &TestApp, librarian: &str, fields: &[(&str, &str)]) -> i64 {
    let (mut browser, csrf) = app.session(librarian).await;
    let mut form: Vec<(&str, &str)> = vec![("csrf", &csrf)];
    form.extend_from_slice(fields);
    let response = browser.post_raw("/library/items", &form).await;
    assert_eq!(
        response.status(),
        303,
        "{}: {:?}",
        app.backend,
        response.text().await
    );
    location(&response)
        .rsplit('/')
        .next()
        .and_then(|id| id.parse().ok())
        .expect("the new item's page")
}

async fn search_json(app: &TestApp, token: Option<&str>, q: &str) -> serde_json::Value {
    let mut request = app.client.get(format!(
        "{}/api/v1/library/search?q={}",
        app.base,
        common::urlencode(q)
    ));
    if let Some(token) = token {
        request = request.header("Cookie", format!("dongbo_session={token}"));
    }
    request
        .send()
        .await
        .expect("an answer")
        .json()
        .await
        .expect("JSON")
}

#[tokio::test]
async fn who_may_read_decides_every_hit_total_facet_and_item() {
    for app in apps().await {
        app.user("thuvien.bng", "librarian", "BNG", false).await;
        let mut ids = BTreeMap::new();
        for (word, visibility, visible_to) in ITEMS {
            let id = add(
                &app,
                "thuvien.bng",
                &[
                    ("title", &format!("Hợp tác văn hóa {word}")),
                    ("kind", "article"),
                    ("owner", "BNG"),
                    // Each its own text: the same text would be one item.
                    (
                        "body",
                        &format!("Hợp tác văn hóa quốc tế giữa các địa phương ({word})."),
                    ),
                    ("visibility", visibility),
                    ("visible_to", visible_to),
                    ("topics", "doi-moi.quang-ba"),
                ],
            )
            .await;
            let (mut librarian, csrf) = app.session("thuvien.bng").await;
            let attached = librarian
                .post_multipart(
                    &format!("/library/items/{id}/files?csrf={csrf}"),
                    &[],
                    Some((
                        &format!("{word}.txt"),
                        "text/plain",
                        format!("Tệp đính kèm {word}").as_bytes(),
                    )),
                )
                .await;
            assert_eq!(attached.status(), 303, "{} attach {word}", app.backend);
            ids.insert(word, id);
        }
        // Who reads what: (username or none, role, agency, the words they may read).
        let callers: [(Option<&str>, &str, &str, &[&str]); 5] = [
            (None, "", "", &["congkhai"]),
            (Some("xem.btc"), "viewer", "BTC", &["congkhai", "noibo"]),
            (
                Some("xem.bvhttdl"),
                "viewer",
                "BVHTTDL",
                &["congkhai", "noibo", "hanche"],
            ),
            (
                Some("xem.bng"),
                "viewer",
                "BNG",
                &["congkhai", "noibo", "hanche"],
            ),
            (
                Some("quantri"),
                "admin",
                "CP",
                &["congkhai", "noibo", "hanche"],
            ),
        ];
        for (username, role, agency, readable) in callers {
            let session = match username {
                Some(username) => {
                    app.user(username, role, agency, false).await;
                    Some(app.session(username).await)
                }
                None => None,
            };
            let token = session.as_ref().map(|(browser, _)| {
                browser
                    .cookies
                    .iter()
                    .find(|(n, _)| n == "dongbo_session")
                    .map(|(_, v)| v.clone())
                    .expect("a session cookie")
            });
            for q in ["hop tac van hoa", "Hợp tác văn hóa", ""] {
                let answer = search_json(&app, token.as_deref(), q).await;
                let mut titles: Vec<String> = answer["hits"]
                    .as_array()
                    .expect("hits")
                    .iter()
                    .map(|h| {
                        h["title"]
                            .as_str()
                            .unwrap()
                            .rsplit(' ')
                            .next()
                            .unwrap()
                            .to_owned()
                    })
                    .collect();
                titles.sort();
                let mut expected: Vec<String> = readable.iter().map(|w| (*w).to_owned()).collect();
                expected.sort();
                assert_eq!(titles, expected, "{} {username:?} «{q}»", app.backend);
                assert_eq!(
                    answer["total"],
                    readable.len(),
                    "{} {username:?}",
                    app.backend
                );
                let kinds: u64 = answer["facets"]["kind"]
                    .as_object()
                    .expect("a kind facet")
                    .values()
                    .map(|n| n.as_u64().unwrap())
                    .sum();
                assert_eq!(
                    kinds,
                    readable.len() as u64,
                    "{} {username:?} facets",
                    app.backend
                );
                let topics = answer["facets"]["topic"]["doi-moi.quang-ba"].as_u64();
                assert_eq!(
                    topics,
                    Some(readable.len() as u64),
                    "{} {username:?}",
                    app.backend
                );
            }
            for (word, id) in &ids {
                let mut request = app
                    .client
                    .get(format!("{}/api/v1/library/items/{id}", app.base));
                let mut page = app.client.get(format!("{}/library/items/{id}", app.base));
                if let Some(token) = &token {
                    request = request.header("Cookie", format!("dongbo_session={token}"));
                    page = page.header("Cookie", format!("dongbo_session={token}"));
                }
                let mut file = app
                    .client
                    .get(format!("{}/library/items/{id}/files/0", app.base));
                let mut api_file = app
                    .client
                    .get(format!("{}/api/v1/library/items/{id}/files/0", app.base));
                if let Some(token) = &token {
                    file = file.header("Cookie", format!("dongbo_session={token}"));
                    api_file = api_file.header("Cookie", format!("dongbo_session={token}"));
                }
                let expected = if readable.contains(word) { 200 } else { 404 };
                let file = file.send().await.expect("an answer");
                assert_eq!(
                    file.status(),
                    expected,
                    "{} {username:?} file {word}",
                    app.backend
                );
                if expected == 200 {
                    assert_eq!(
                        file.text().await.unwrap(),
                        format!("Tệp đính kèm {word}"),
                        "{} {username:?} file {word}",
                        app.backend
                    );
                }
                let api_file = api_file.send().await.expect("an answer").status();
                assert_eq!(
                    api_file, expected,
                    "{} {username:?} API file {word}",
                    app.backend
                );
                let api = request.send().await.expect("an answer").status();
                let html = page.send().await.expect("an answer").status();
                assert_eq!(
                    api, expected,
                    "{} {username:?} API item {word}",
                    app.backend
                );
                assert_eq!(
                    html, expected,
                    "{} {username:?} item page {word}",
                    app.backend
                );
            }
        }
    }
}

#[tokio::test]
async fn the_search_page_finds_without_diacritics_and_says_when_it_ignored_them() {
    for app in apps().await {
        app.user("thuvien.bng", "librarian", "BNG", false).await;
        for (title, body) in [
            (
                "Đà Nẵng đón đoàn khách quốc tế",
                "Thành phố Đà Nẵng đón đoàn đại biểu.",
            ),
            ("Máy in đa năng", "Thiết bị đa năng cho văn phòng."),
        ] {
            add(
                &app,
                "thuvien.bng",
                &[
                    ("title", title),
                    ("kind", "article"),
                    ("owner", "BNG"),
                    ("body", body),
                    ("visibility", "public"),
                ],
            )
            .await;
        }
        let plain = app.page("/library?q=da+nang").await;
        assert!(
            plain.contains("Đà Nẵng đón đoàn") && plain.contains("Máy in đa năng"),
            "{}",
            app.backend
        );
        assert!(plain.contains("<mark>"), "the words found are marked");
        // Each way the hits write the words is one click from an exact search.
        let readings = plain
            .split_once("id=\"readings\"")
            .map(|(_, rest)| rest.split("</p>").next().unwrap_or_default())
            .expect("the readings offered");
        for (reading, href) in [
            ("Đà Nẵng", "q=%C4%90%C3%A0%20N%E1%BA%B5ng"),
            ("đa năng", "q=%C4%91a%20n%C4%83ng"),
        ] {
            assert!(
                readings.contains(reading) && readings.contains(href),
                "{reading} in {readings}"
            );
        }
        let exact = app.page("/library?q=%C4%90%C3%A0+N%E1%BA%B5ng").await;
        assert!(
            exact.contains("Đà Nẵng đón đoàn") && !exact.contains("Máy in đa năng"),
            "{}",
            app.backend
        );
        assert!(!exact.contains("id=\"folded\""));
        // A tone mark on the wrong syllable: nothing exact, the folded results, said so.
        let misplaced = app.page("/library?q=%C4%90a+N%E1%BA%B5ng").await;
        assert!(misplaced.contains("id=\"folded\""), "{}", app.backend);
        // Facet links narrow the search.
        let narrowed = app.page("/library?q=da+nang&kind=article").await;
        assert!(narrowed.contains("Đang lọc:"));

        // Typed without diacritics, the English "Da Nang" is as good a match as "Đà Nẵng":
        // the Vietnamese items come first unless the caller prefers English.
        add(
            &app,
            "thuvien.bng",
            &[
                ("title", "Da Nang welcomes international visitors"),
                ("kind", "article"),
                ("owner", "BNG"),
                ("language", "en"),
                ("body", "The city of Da Nang hosts a festival."),
                ("visibility", "public"),
            ],
        )
        .await;
        let languages = |answer: serde_json::Value| -> Vec<String> {
            answer["hits"]
                .as_array()
                .expect("hits")
                .iter()
                .map(|hit| hit["language"].as_str().expect("a language").to_owned())
                .collect()
        };
        let ask = |query: &'static str| {
            let url = format!("{}/api/v1/library/search?{query}", app.base);
            let client = app.client.clone();
            async move { client.get(url).send().await.expect("an answer") }
        };
        let vietnamese_first = languages(search_json(&app, None, "da nang").await);
        assert_eq!(vietnamese_first, ["vi", "vi", "en"], "{}", app.backend);
        let english = ask("q=da+nang&prefer_lang=en").await;
        assert_eq!(english.status(), 200);
        assert_eq!(
            languages(english.json().await.expect("JSON"))[0],
            "en",
            "{}",
            app.backend
        );
        let refused = ask("q=da+nang&prefer_lang=vi-VN!").await;
        assert_eq!(refused.status(), 422, "{}", app.backend);
        let problem = refused.text().await.expect("a problem");
        assert!(problem.contains("prefer_lang"), "{problem}");
    }
}

#[tokio::test]
async fn only_a_librarian_or_admin_of_the_owner_agency_adds_changes_or_deletes_an_item() {
    for app in apps().await {
        app.user("thuvien.bng", "librarian", "BNG", false).await;
        app.user("thuvien.btc", "librarian", "BTC", false).await;
        app.user("xem.bng", "viewer", "BNG", false).await;
        let id = add(
            &app,
            "thuvien.bng",
            &[
                ("title", "Sách trắng quốc phòng"),
                ("kind", "white_paper"),
                ("owner", "BNG"),
                ("visibility", "public"),
                ("body", "Quốc phòng Việt Nam năm 2019."),
            ],
        )
        .await;
        let mut sessions = Vec::new();
        for username in ["xem.bng", "thuvien.btc"] {
            sessions.push((username, app.session(username).await));
        }
        let before = app.fingerprint().await;
        for (username, (mut browser, csrf)) in sessions {
            let created = browser
                .post_raw(
                    "/library/items",
                    &[
                        ("csrf", &csrf),
                        ("title", "X"),
                        ("kind", "article"),
                        ("owner", "BNG"),
                        ("visibility", "public"),
                    ],
                )
                .await;
            assert_eq!(created.status(), 403, "{} {username} adds", app.backend);
            let changed = browser
                .post_raw(
                    &format!("/library/items/{id}"),
                    &[
                        ("csrf", &csrf),
                        ("title", "Y"),
                        ("kind", "article"),
                        ("owner", "BNG"),
                        ("visibility", "public"),
                    ],
                )
                .await;
            assert_eq!(changed.status(), 403, "{} {username} changes", app.backend);
            let deleted = browser
                .post_raw(&format!("/library/items/{id}/delete"), &[("csrf", &csrf)])
                .await;
            assert_eq!(deleted.status(), 403, "{} {username} deletes", app.backend);
        }
        let after = app.fingerprint().await;
        assert!(
            before.changed(&after).is_empty(),
            "{}: {:?}",
            app.backend,
            before.changed(&after)
        );
        // The same text again is the same item, and its page says so.
        let (mut browser, csrf) = app.session("thuvien.bng").await;
        let again = browser
            .post_raw(
                "/library/items",
                &[
                    ("csrf", &csrf),
                    ("title", "Sách trắng (bản sao)"),
                    ("kind", "white_paper"),
                    ("owner", "BNG"),
                    ("visibility", "public"),
                    ("body", "Quốc phòng  Việt Nam năm 2019."),
                ],
            )
            .await;
        assert_eq!(again.status(), 303, "{}", app.backend);
        let shown = location(&again);
        assert_eq!(
            shown,
            format!("/library/items/{id}?merged=1"),
            "{}",
            app.backend
        );
        assert!(browser.text(&shown).await.contains("id=\"merged\""));
        // A refused form keeps what was typed and names the field.
        let (mut browser, csrf) = app.session("thuvien.bng").await;
        let refused = browser
            .post_raw(
                "/library/items",
                &[
                    ("csrf", &csrf),
                    ("title", ""),
                    ("kind", "article"),
                    ("owner", "BNG"),
                    ("body", "Nội dung giữ lại"),
                    ("visibility", "public"),
                ],
            )
            .await;
        assert_eq!(refused.status(), 422);
        let html = refused.text().await.unwrap();
        assert!(
            html.contains("Nội dung giữ lại") && html.contains("data-field=\"title\""),
            "{html}"
        );
    }
}

#[tokio::test]
async fn an_item_is_cited_only_in_a_report_its_reporter_writes_and_shows_on_both_pages() {
    for app in apps().await {
        app.user("thuvien.bng", "librarian", "BNG", false).await;
        app.user("xem.bvh", "viewer", "BVHTTDL", false).await;
        app.user("baocao.bng", "reporter", "BNG", false).await;
        app.user("baocao.bvh", "reporter", "BVHTTDL", false).await;
        let public = add(
            &app,
            "thuvien.bng",
            &[
                ("title", "Sách trắng ngoại giao văn hóa"),
                ("kind", "white_paper"),
                ("owner", "BNG"),
                ("visibility", "public"),
            ],
        )
        .await;
        let hidden = add(
            &app,
            "thuvien.bng",
            &[
                ("title", "Tài liệu mật của Bộ"),
                ("kind", "report"),
                ("owner", "BNG"),
                ("visibility", "agencies"),
                ("visible_to", "BNG"),
            ],
        )
        .await;
        let assignment = app.lead_of(app.program_id, "3.21", "BVHTTDL").await;
        let assignment_text = assignment.to_string();
        let mut sessions = Vec::new();
        for (username, item, expected) in [
            ("xem.bvh", public, 403),
            ("baocao.bng", public, 404),
            ("baocao.bvh", hidden, 422),
        ] {
            sessions.push((username, item, expected, app.session(username).await));
        }
        let before = app.fingerprint().await;
        for (username, item, expected, (mut browser, csrf)) in sessions {
            let response = browser
                .post_raw(
                    &format!("/library/items/{item}/cite"),
                    &[("csrf", &csrf), ("assignment", &assignment_text)],
                )
                .await;
            assert_eq!(
                response.status(),
                expected,
                "{} {username} cites {item}",
                app.backend
            );
        }
        assert!(
            before.changed(&app.fingerprint().await).is_empty(),
            "{}",
            app.backend
        );

        let (mut browser, csrf) = app.session("baocao.bvh").await;
        let item_page = browser.text(&format!("/library/items/{public}")).await;
        assert!(
            item_page.contains("id=\"cite-form\""),
            "a reporter is offered to cite it"
        );
        let response = browser
            .post_raw(
                &format!("/library/items/{public}/cite"),
                &[("csrf", &csrf), ("assignment", &assignment_text)],
            )
            .await;
        assert_eq!(response.status(), 303, "{}", app.backend);
        assert!(location(&response).starts_with(&format!("/assignments/{assignment}/report")));
        let report = browser
            .text(&format!("/assignments/{assignment}/report"))
            .await;
        assert!(
            report.contains("Sách trắng ngoại giao văn hóa")
                && report.contains("name=\"library_item_0\""),
            "the draft cites the item: {}",
            app.backend
        );
        // Citing it twice keeps one citation.
        browser
            .post_raw(
                &format!("/library/items/{public}/cite"),
                &[("csrf", &csrf), ("assignment", &assignment_text)],
            )
            .await;
        let report = browser
            .text(&format!("/assignments/{assignment}/report"))
            .await;
        assert!(
            !report.contains("name=\"library_item_1\""),
            "{}",
            app.backend
        );
        // The item's page lists the report citing it, for who may read that report.
        let item_page = browser.text(&format!("/library/items/{public}")).await;
        assert!(
            item_page.contains("id=\"citations\"") && item_page.contains("3.21"),
            "{}",
            app.backend
        );
        let (mut other, _) = app.session("baocao.bng").await;
        let item_page = other.text(&format!("/library/items/{public}")).await;
        assert!(
            !item_page.contains("id=\"citations\""),
            "another agency's report is not shown"
        );
        // The task's page lists the item cited for it, to who may read the citing report.
        let task_path = format!("/programs/{}/tasks/3.21", app.program_id);
        let task_page = browser.text(&task_path).await;
        let section = task_page
            .split("id=\"cited-items\"")
            .nth(1)
            .unwrap_or_else(|| panic!("{}: the task page lists cited items", app.backend));
        assert!(
            section.contains(&format!("/library/items/{public}"))
                && section.contains("Sách trắng ngoại giao văn hóa")
                && section.contains("BVHTTDL"),
            "{}",
            app.backend
        );
        let task_page = other.text(&task_path).await;
        assert!(
            !task_page.contains("id=\"cited-items\""),
            "{}: another agency's citations are not shown",
            app.backend
        );
        let anonymous = app.page(&task_path).await;
        assert!(!anonymous.contains("id=\"cited-items\""), "{}", app.backend);
    }
}

/// A task's page lists the library's newest items on its topics — its group's until its
/// program's coordinator tags it, with the topics under them —, each only to who may read it;
/// only the coordinator tags the task, and an unknown topic is refused, changing nothing.
#[tokio::test]
async fn a_task_page_lists_the_items_on_its_topics_and_its_coordinator_tags_it() {
    for app in apps().await {
        app.user("thuvien.bng", "librarian", "BNG", false).await;
        app.user("dieuphoi.cp", "coordinator", "CP", false).await;
        app.user("xem.bng", "viewer", "BNG", false).await;
        // Each its own text (the same text would be one item).
        let item = |title: &'static str, topic: &'static str, visibility: &'static str| {
            vec![
                ("title", title),
                ("kind", "article"),
                ("body", title),
                ("owner", "BNG"),
                ("topics", topic),
                ("visibility", visibility),
                ("published_on", "2026-11-02"),
            ]
        };
        let digital = add(
            &app,
            "thuvien.bng",
            &item(
                "Chuyển đổi số báo chí đối ngoại",
                "doi-moi.chuyen-doi-so",
                "public",
            ),
        )
        .await;
        let internal = add(
            &app,
            "thuvien.bng",
            &item("Đổi mới cách làm nội bộ", "doi-moi", "government"),
        )
        .await;
        let rebuttal = add(
            &app,
            "thuvien.bng",
            &item("Phản bác tin sai về biển Đông", "dau-tranh", "public"),
        )
        .await;
        let task_path = format!("/programs/{}/tasks/3.21", app.program_id);
        let section = |page: String| {
            page.split("id=\"topic-items\"")
                .nth(1)
                .unwrap_or_else(|| panic!("the task page has its topics' items: {page}"))
                .to_owned()
        };
        let link = |id: i64| format!("/library/items/{id}\"");

        // Group 3's topic and the topics under it; the government's item only when signed in.
        let anonymous = section(app.page(&task_path).await);
        assert!(
            anonymous.contains("Đổi mới tư duy, nội dung, phương thức thông tin đối ngoại")
                && anonymous.contains("(theo nhóm nhiệm vụ)")
                && anonymous.contains(&link(digital))
                && !anonymous.contains(&link(internal))
                && !anonymous.contains(&link(rebuttal))
                && !anonymous.contains("id=\"task-topics\""),
            "{}: {anonymous}",
            app.backend
        );
        let (mut viewer, viewer_csrf) = app.session("xem.bng").await;
        let seen = section(viewer.text(&task_path).await);
        assert!(
            seen.contains(&link(digital))
                && seen.contains(&link(internal))
                && !seen.contains("id=\"task-topics\""),
            "{}: {seen}",
            app.backend
        );

        // Who may not tag it, and an unknown topic: refused, nothing changed.
        let (mut coordinator, csrf) = app.session("dieuphoi.cp").await;
        let before = app.fingerprint().await;
        let topics_path = format!("{task_path}/topics");
        let refused = viewer
            .post_raw(
                &topics_path,
                &[("csrf", &viewer_csrf), ("topics", "dau-tranh")],
            )
            .await;
        assert_eq!(refused.status(), 403, "{}", app.backend);
        let refused = coordinator
            .post_raw(&topics_path, &[("csrf", &csrf), ("topics", "khong-co")])
            .await;
        assert_eq!(refused.status(), 422, "{}", app.backend);
        let html = refused.text().await.unwrap();
        assert!(
            html.contains("khong-co") && html.contains("data-field=\"topics\""),
            "{html}"
        );
        let after = app.fingerprint().await;
        assert!(
            before.changed(&after).is_empty(),
            "{:?}",
            before.changed(&after)
        );

        // The coordinator tags it with group 4's topic: its items instead, said as chosen.
        let page = section(coordinator.text(&task_path).await);
        // The topic tree is drawn by the site's style sheet: the CSP refuses inline styles.
        assert!(
            page.contains("id=\"task-topics\"")
                && page.contains("class=\"check depth-1\"")
                && !page.contains(" style="),
            "{page}"
        );
        let tagged = coordinator
            .post_raw(&topics_path, &[("csrf", &csrf), ("topics", "dau-tranh")])
            .await;
        assert_eq!(tagged.status(), 303, "{}", app.backend);
        let anonymous = section(app.page(&task_path).await);
        assert!(
            anonymous.contains("Đấu tranh phản bác thông tin sai trái")
                && !anonymous.contains("(theo nhóm nhiệm vụ)")
                && anonymous.contains(&link(rebuttal))
                && !anonymous.contains(&link(digital)),
            "{}: {anonymous}",
            app.backend
        );
        let audited: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'task.topics' AND actor = 'dieuphoi.cp'",
        )
        .fetch_one(app.db.pool())
        .await
        .unwrap();
        assert_eq!(audited, 1, "{}", app.backend);

        // None at all is a choice too: the group's are not taken back.
        let cleared = coordinator.post_raw(&topics_path, &[("csrf", &csrf)]).await;
        assert_eq!(cleared.status(), 303, "{}", app.backend);
        let anonymous = section(app.page(&task_path).await);
        assert!(
            anonymous.contains("Nhiệm vụ chưa gắn chủ đề nào.")
                && !anonymous.contains(&link(digital)),
            "{}: {anonymous}",
            app.backend
        );
    }
}

#[tokio::test]
async fn a_librarian_attaches_a_document_whose_text_is_then_found_and_a_bad_file_changes_nothing() {
    for app in apps().await {
        app.user("thuvien.bng", "librarian", "BNG", false).await;
        app.user("xem.bng", "viewer", "BNG", false).await;
        let id = add(
            &app,
            "thuvien.bng",
            &[
                ("title", "Sách trắng về hợp tác"),
                ("kind", "white_paper"),
                ("owner", "BNG"),
                ("visibility", "public"),
            ],
        )
        .await;
        let (mut librarian, csrf) = app.session("thuvien.bng").await;
        let page = librarian.text(&format!("/library/items/{id}")).await;
        assert!(page.contains("id=\"attach-form\""), "{}", app.backend);
        let action = common::Browser::form_action(&page, "attach-form");
        assert!(action.contains(&csrf), "{}", app.backend);

        // A Markdown document: kept, its text the item's, found without diacritics.
        let document = "# Quan hệ hữu nghị\n\nHợp tác giữa Đà Nẵng và Viêng Chăn.\n";
        let attached = librarian
            .post_multipart(
                &action,
                &[],
                Some(("quan-hệ.md", "text/markdown", document.as_bytes())),
            )
            .await;
        assert_eq!(attached.status(), 303, "{}", app.backend);
        let answer = search_json(&app, None, "vieng chan").await;
        assert_eq!(answer["total"], 1, "{} {answer}", app.backend);
        assert_eq!(answer["hits"][0]["id"], id, "{}", app.backend);
        let shown = librarian.text(&format!("/library/items/{id}")).await;
        assert!(shown.contains("quan-hệ.md"), "{}", app.backend);
        let file = app
            .client
            .get(format!("{}/library/items/{id}/files/0", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(file.status(), 200, "{}", app.backend);
        assert_eq!(
            file.headers()["x-content-type-options"],
            "nosniff",
            "{}",
            app.backend
        );
        assert!(
            file.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .contains("quan-h%E1%BB%87.md"),
            "{}",
            app.backend
        );
        assert_eq!(file.bytes().await.unwrap().as_ref(), document.as_bytes());

        // An encrypted-looking or unreadable file: refused with the reason, nothing changes.
        let before = app.json(&format!("/api/v1/library/items/{id}")).await;
        let refused = librarian
            .post_multipart(
                &action,
                &[],
                Some(("hỏng.pdf", "application/pdf", b"%PDF-1.7 not really a pdf")),
            )
            .await;
        assert_eq!(refused.status(), 422, "{}", app.backend);
        let body = refused.text().await.unwrap();
        assert!(
            body.contains("attach-file-error"),
            "{}: {body}",
            app.backend
        );
        assert!(body.contains("hỏng.pdf"), "{}: {body}", app.backend);
        assert_eq!(
            app.json(&format!("/api/v1/library/items/{id}")).await,
            before,
            "{}",
            app.backend
        );

        // A reader who may not edit gets no form and cannot attach.
        let (mut viewer, viewer_csrf) = app.session("xem.bng").await;
        let viewed = viewer.text(&format!("/library/items/{id}")).await;
        assert!(!viewed.contains("attach-form"), "{}", app.backend);
        let forbidden = viewer
            .post_multipart(
                &format!("/library/items/{id}/files?csrf={viewer_csrf}"),
                &[],
                Some(("x.txt", "text/plain", b"x")),
            )
            .await;
        assert_eq!(forbidden.status(), 403, "{}", app.backend);

        // Removing the file leaves the item and its text.
        let removed = librarian
            .post(&format!("/library/items/{id}/files/0/delete"), &[])
            .await;
        assert_eq!(removed.status(), 303, "{}", app.backend);
        let after = app.json(&format!("/api/v1/library/items/{id}")).await;
        assert_eq!(
            after["attachments"],
            serde_json::json!([]),
            "{}",
            app.backend
        );
        assert!(
            after["body"].as_str().unwrap().contains("Viêng Chăn"),
            "{}",
            app.backend
        );
        let gone = app
            .client
            .get(format!("{}/library/items/{id}/files/0", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(gone.status(), 404, "{}", app.backend);
    }
}

#[tokio::test]
async fn an_administrator_of_the_government_adds_and_renames_topics_and_no_one_else_may() {
    for app in apps().await {
        app.user("quantri", "admin", "CP", false).await;
        app.user("quantri.bng", "admin", "BNG", false).await;
        let (mut admin, _) = app.session("quantri").await;
        let (mut ministry, _) = app.session("quantri.bng").await;
        let page = admin.text("/library/topics").await;
        assert!(page.contains("id=\"topic-form\""), "{}", app.backend);
        assert!(
            page.contains("data-code=\"doi-moi.quang-ba\""),
            "{}",
            app.backend
        );

        let added = admin
            .post(
                "/library/topics",
                &[
                    ("code", "doi-moi.ngoai-giao-van-hoa"),
                    ("parent", "doi-moi"),
                    ("name_vi", "Ngoại giao văn hóa"),
                    ("name_en", "Cultural diplomacy"),
                ],
            )
            .await;
        assert_eq!(added.status(), 303, "{}", app.backend);
        let page = app.page("/library/topics").await;
        let branch = page
            .split("data-code=\"doi-moi\"")
            .nth(1)
            .expect("the parent topic");
        assert!(
            branch.contains("data-code=\"doi-moi.ngoai-giao-van-hoa\"")
                && branch.contains("Ngoại giao văn hóa"),
            "{}: the new topic under its parent",
            app.backend
        );
        assert!(!page.contains("id=\"topic-form\""), "visitors get no form");

        // Renaming by the same code; a bad code is refused beside its field, nothing changes.
        let renamed = admin
            .post(
                "/library/topics",
                &[
                    ("code", "doi-moi.ngoai-giao-van-hoa"),
                    ("parent", "doi-moi"),
                    ("name_vi", "Ngoại giao văn hóa, quảng bá hình ảnh"),
                    ("name_en", "Cultural diplomacy"),
                ],
            )
            .await;
        assert_eq!(renamed.status(), 303, "{}", app.backend);
        let before = app.fingerprint().await;
        let refused = admin
            .post(
                "/library/topics",
                &[
                    ("code", "Ngoại giao!"),
                    ("parent", ""),
                    ("name_vi", "X"),
                    ("name_en", "X"),
                ],
            )
            .await;
        assert_eq!(refused.status(), 422, "{}", app.backend);
        let body = refused.text().await.unwrap();
        assert!(
            body.contains("data-field=\"code\""),
            "{}: {body}",
            app.backend
        );
        assert!(body.contains("value=\"Ngoại giao!\""), "{}", app.backend);
        // An admin of one ministry may not change the Government's vocabulary.
        assert!(
            !ministry
                .text("/library/topics")
                .await
                .contains("id=\"topic-form\""),
            "{}",
            app.backend
        );
        let forbidden = ministry
            .post(
                "/library/topics",
                &[
                    ("code", "bng"),
                    ("parent", ""),
                    ("name_vi", "Của Bộ"),
                    ("name_en", "The ministry's"),
                ],
            )
            .await;
        assert_eq!(forbidden.status(), 403, "{}", app.backend);
        assert!(
            before.changed(&app.fingerprint().await).is_empty(),
            "{}",
            app.backend
        );
        let page = app.page("/library/topics").await;
        assert!(
            page.contains("Ngoại giao văn hóa, quảng bá hình ảnh"),
            "{}",
            app.backend
        );
    }
}

/// The pull sources' page: the owner agency's librarian registers a source (an intranet
/// address refused, the message beside the field) — the government's unless said otherwise —,
/// sees its health, makes it public, asks for a poll now and enables it again once disabled; a
/// viewer of the agency and another agency's librarian may
/// do none of it, and their tries change nothing.
#[tokio::test]
async fn only_a_librarian_or_admin_of_the_owner_agency_registers_enables_or_polls_a_source() {
    for app in apps().await {
        app.user("thuvien.bng", "librarian", "BNG", false).await;
        app.user("thuvien.btc", "librarian", "BTC", false).await;
        app.user("xem.bng", "viewer", "BNG", false).await;
        let (mut browser, csrf) = app.session("thuvien.bng").await;
        let form = |name: &'static str, url: &'static str| {
            vec![
                ("name", name),
                ("url", url),
                ("kind", "feed"),
                ("owner", "BNG"),
                ("poll_minutes", "60"),
            ]
        };
        let mut fields = vec![("csrf", csrf.as_str())];
        fields.extend(form("Mạng nội bộ", "http://127.0.0.1:9/tin.rss"));
        let refused = browser.post_raw("/library/sources", &fields).await;
        assert_eq!(refused.status(), 422, "{}", app.backend);
        let html = refused.text().await.unwrap();
        assert!(
            html.contains("--library-allow-net")
                && html.contains("loopback")
                && html.contains("Mạng nội bộ")
                && html.contains("data-field=\"url\""),
            "{html}"
        );
        // A public address typed as such: registering fetches nothing (the poller of `serve`
        // does, and tests run none).
        let mut fields = vec![("csrf", csrf.as_str())];
        fields.extend(form("Tin Bộ Ngoại giao", "http://93.184.215.14/tin.rss"));
        let added = browser.post_raw("/library/sources", &fields).await;
        assert_eq!(added.status(), 303, "{}", app.backend);
        let id: i64 = sqlx::query_scalar("SELECT id FROM library_sources WHERE name = $1")
            .bind("Tin Bộ Ngoại giao")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        let page = browser.text("/library/sources").await;
        assert!(
            page.contains("Tin Bộ Ngoại giao")
                && page.contains("Chưa lấy")
                && page.contains("Nội bộ cơ quan nhà nước (mạng nội bộ)"),
            "{page}"
        );

        let mut sessions = Vec::new();
        for username in ["xem.bng", "thuvien.btc"] {
            sessions.push((username, app.session(username).await));
        }
        let before = app.fingerprint().await;
        for (username, (mut browser, csrf)) in sessions {
            let mut fields = vec![("csrf", csrf.as_str())];
            fields.extend(form("Nguồn lạ", "http://93.184.215.14/la.rss"));
            let added = browser.post_raw("/library/sources", &fields).await;
            assert_eq!(added.status(), 403, "{} {username} registers", app.backend);
            for action in ["enable", "poll", "visibility"] {
                let done = browser
                    .post_raw(
                        &format!("/library/sources/{id}/{action}"),
                        &[("csrf", &csrf), ("visibility", "public")],
                    )
                    .await;
                assert_eq!(done.status(), 403, "{} {username} {action}", app.backend);
            }
            let page = browser.text("/library/sources").await;
            assert!(!page.contains("Tin Bộ Ngoại giao"), "{username} sees it");
        }
        let after = app.fingerprint().await;
        assert!(
            before.changed(&after).is_empty(),
            "{}: {:?}",
            app.backend,
            before.changed(&after)
        );

        // A public website after all: public, and the page says what it did to its items.
        let changed = browser
            .post_raw(
                &format!("/library/sources/{id}/visibility"),
                &[
                    ("csrf", &csrf),
                    ("visibility", "public"),
                    ("visible_to", ""),
                ],
            )
            .await;
        assert_eq!(changed.status(), 303);
        let to = changed.headers()["location"].to_str().unwrap().to_owned();
        let page = browser.text(&to).await;
        assert!(
            page.contains("Đã đổi phạm vi của nguồn và của 0 tài liệu")
                && page.contains("Công khai (trang tin công khai)"),
            "{page}"
        );
        let visibility: String =
            sqlx::query_scalar("SELECT visibility FROM library_sources WHERE id = $1")
                .bind(id)
                .fetch_one(app.db.pool())
                .await
                .unwrap();
        assert_eq!(visibility, "public", "{}", app.backend);

        // Poll now: due at once. Then disabled by its failures: the page says why and offers
        // to enable it; "poll now" is refused until it is enabled again.
        let polled = browser
            .post_raw(&format!("/library/sources/{id}/poll"), &[("csrf", &csrf)])
            .await;
        assert_eq!(polled.status(), 303);
        let record = dongbo_store::library::PollRecord {
            status: Some(503),
            error: Some("Tin Bộ Ngoại giao: HTTP 503".to_owned()),
            failures: 10,
            next_poll_at: None,
            disabled_reason: Some("10 lần thất bại liên tiếp: HTTP 503".to_owned()),
            ..Default::default()
        };
        dongbo_store::library::sources::record_poll(
            &app.db,
            id,
            &record,
            "system",
            dongbo_domain::clock::now(),
        )
        .await
        .unwrap();
        let page = browser.text("/library/sources").await;
        assert!(
            page.contains("Đã tắt")
                && page.contains("10 lần thất bại liên tiếp: HTTP 503")
                && page.contains(&format!("/library/sources/{id}/enable")),
            "{page}"
        );
        let refused = browser
            .post_raw(&format!("/library/sources/{id}/poll"), &[("csrf", &csrf)])
            .await;
        assert_eq!(refused.status(), 409);
        let enabled = browser
            .post_raw(&format!("/library/sources/{id}/enable"), &[("csrf", &csrf)])
            .await;
        assert_eq!(enabled.status(), 303);
        let page = browser.text("/library/sources").await;
        assert!(
            !page.contains("Đã tắt") && page.contains(&format!("/library/sources/{id}/poll")),
            "{page}"
        );
    }
}

/// The near-duplicates page: a librarian of the owner agency sees the pair side by side and
/// merges it; a viewer of the same agency is refused the page and its decisions, a librarian of
/// another agency sees no pair and may not decide it; nothing changes for them.
#[tokio::test]
async fn only_who_may_edit_both_items_sees_and_decides_a_near_duplicate() {
    for app in apps().await {
        app.user("thuvien.bng", "librarian", "BNG", false).await;
        app.user("thuvien.btc", "librarian", "BTC", false).await;
        app.user("xem.bng", "viewer", "BNG", false).await;
        let text = "Bộ Ngoại giao tổ chức hội nghị tổng kết công tác đối ngoại tại Hà Nội, đánh \
                    giá kết quả triển khai nghị quyết và đề ra nhiệm vụ trọng tâm cho năm tới về \
                    ngoại giao kinh tế, bảo hộ công dân và thông tin đối ngoại.";
        let copy = format!("{text} Hội nghị cũng nghe báo cáo về giáo dục.");
        let mut ids = Vec::new();
        for (title, body) in [
            ("Hội nghị tổng kết", text),
            ("Hội nghị tổng kết (bản sao)", copy.as_str()),
        ] {
            ids.push(
                add(
                    &app,
                    "thuvien.bng",
                    &[
                        ("title", title),
                        ("kind", "report"),
                        ("owner", "BNG"),
                        ("visibility", "public"),
                        ("body", body),
                    ],
                )
                .await,
            );
        }
        let proposal = dongbo_store::library::duplicates::of_pair(&app.db, ids[0], ids[1])
            .await
            .expect("read")
            .expect("proposed")
            .id;
        let mut sessions = Vec::new();
        for (username, page_status) in [("xem.bng", 403), ("thuvien.btc", 200)] {
            sessions.push((username, page_status, app.session(username).await));
        }
        let before = app.fingerprint().await;
        for (username, page_status, (mut browser, csrf)) in sessions {
            let page = browser.get("/library/duplicates").await;
            assert_eq!(page.status(), page_status, "{} {username}", app.backend);
            let shown = page.text().await.expect("a page");
            assert!(
                !shown.contains("Hội nghị tổng kết (bản sao)"),
                "{} {username}",
                app.backend
            );
            let keep = ids[0].to_string();
            let merged = browser
                .post_raw(
                    &format!("/library/duplicates/{proposal}/merge"),
                    &[("csrf", &csrf), ("keep", &keep)],
                )
                .await;
            assert_eq!(merged.status(), 403, "{} {username} merges", app.backend);
            let dismissed = browser
                .post_raw(
                    &format!("/library/duplicates/{proposal}/dismiss"),
                    &[("csrf", &csrf)],
                )
                .await;
            assert_eq!(
                dismissed.status(),
                403,
                "{} {username} dismisses",
                app.backend
            );
        }
        let after = app.fingerprint().await;
        assert!(
            before.changed(&after).is_empty(),
            "{}: {:?}",
            app.backend,
            before.changed(&after)
        );
        let (mut browser, csrf) = app.session("thuvien.bng").await;
        let page = browser.get("/library/duplicates").await;
        assert_eq!(page.status(), 200);
        let shown = page.text().await.expect("a page");
        assert!(
            shown.contains("Hội nghị tổng kết (bản sao)")
                && shown.contains("Hội nghị cũng nghe báo cáo về giáo dục."),
            "{}: the pair side by side with the differing passage",
            app.backend
        );
        let keep = ids[0].to_string();
        let merged = browser
            .post_raw(
                &format!("/library/duplicates/{proposal}/merge"),
                &[("csrf", &csrf), ("keep", &keep)],
            )
            .await;
        assert_eq!(merged.status(), 303, "{}", app.backend);
        assert_eq!(location(&merged), format!("/library/items/{}", ids[0]));
        assert_eq!(
            app.get(&format!("/library/items/{}", ids[1]))
                .await
                .status(),
            404
        );
    }
}
