//! The library in the real `dongbo`: two servers on one PostgreSQL both find an item right
//! after one of them acknowledged its push (each keeps its own index, fed from the database's
//! change feed), and the command line imports a folder of documents that are then found
//! without diacritics, from the command line and from the server.

mod common;

use std::time::{Duration, Instant};

use common::{Server, Setup, data_folder, free_port};

/// `text` as a query string's value.
fn encoded(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// An item's total in `base`'s search for `q`, as an anonymous visitor.
async fn found(client: &reqwest::Client, base: &str, q: &str) -> u64 {
    let answer: serde_json::Value = client
        .get(format!("{base}/api/v1/library/search?q={}", encoded(q)))
        .send()
        .await
        .expect("a search answer")
        .json()
        .await
        .expect("JSON");
    answer["total"].as_u64().expect("a total")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_postgresql_both_find_an_item_right_after_its_push() {
    let Some(url) = dongbo_testkit::postgres_database_url() else {
        return;
    };
    let (_a_dir, a_data) = data_folder();
    let (_b_dir, b_data) = data_folder();
    let a = Setup {
        data_dir: a_data,
        database_url: Some(url.clone()),
    };
    let b = Setup {
        data_dir: b_data,
        database_url: Some(url),
    };
    let server_a = Server::start(&a, free_port());
    let server_b = Server::start(&b, free_port());
    let token = a.user_with_token("thuvien.bng", "librarian", "BNG");
    let client = dongbo_library::http::client();
    for (n, words) in [
        ("1", "Hội thảo hữu nghị Việt Nam – Na Uy tại Hà Nội"),
        ("2", "Triển lãm ảnh về biển đảo Trường Sa ở Oslo"),
    ] {
        let pushed = client
            .post(format!("{}/api/v1/library/items", server_a.base))
            .bearer_auth(&token)
            .json(&serde_json::json!({
                "system": "BNG",
                "external_id": format!("tin-{n}"),
                "item": {
                    "title": words,
                    "kind": "article",
                    "owner": "BNG",
                    "visibility": "public",
                    "body": format!("{words}. Bài viết thử nghiệm số {n}."),
                }
            }))
            .send()
            .await
            .expect("a push answer");
        assert_eq!(
            pushed.status(),
            reqwest::StatusCode::CREATED,
            "{:?}",
            pushed.text().await
        );
        let acknowledged = Instant::now();
        let plain = dongbo_domain::text::fold(words);
        // The pushing server shows it at once; the other within its polling interval.
        assert_eq!(
            found(&client, &server_a.base, &plain).await,
            1,
            "on A: {plain}"
        );
        loop {
            if found(&client, &server_b.base, &plain).await == 1 {
                break;
            }
            assert!(
                acknowledged.elapsed() < Duration::from_secs(15),
                "server B never found «{plain}»"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        eprintln!(
            "«{words}»: found on the second server {} ms after the push was acknowledged",
            acknowledged.elapsed().as_millis()
        );
    }
    // A re-send with the same key changes the same item on both.
    let resent = client
        .put(format!("{}/api/v1/library/items/BNG/tin-1", server_a.base))
        .bearer_auth(&token)
        .json(&serde_json::json!({
            "title": "Hội thảo hữu nghị Việt Nam – Na Uy tại Huế",
            "kind": "article",
            "owner": "BNG",
            "visibility": "public",
            "body": "Địa điểm đổi sang Huế.",
        }))
        .send()
        .await
        .expect("a put answer");
    assert_eq!(resent.status(), reqwest::StatusCode::OK);
    let started = Instant::now();
    while found(&client, &server_b.base, "huu nghi hue").await != 1 {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "B never saw the change"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        found(&client, &server_b.base, "huu nghi").await,
        1,
        "one item, not two"
    );
    drop(server_b);
    drop(server_a);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_folder_imported_from_the_command_line_is_found_without_diacritics() {
    let (_dir, data_dir) = data_folder();
    let setup = Setup {
        data_dir,
        database_url: None,
    };
    let folder = tempfile::tempdir().expect("a folder");
    std::fs::write(
        folder.path().join("ngoai-giao-van-hoa.md"),
        "# Chiến lược ngoại giao văn hóa đến năm 2030\n\nNgoại giao văn hóa là một trụ cột của nền ngoại giao toàn diện.\n",
    )
    .expect("written");
    std::fs::write(
        folder.path().join("da-nang.html"),
        "<html><head><title>Đà Nẵng đón đoàn khách quốc tế</title></head><body><p>Thành phố Đà Nẵng đón đoàn đại biểu.</p></body></html>",
    )
    .expect("written");
    let folder_arg = folder.path().to_str().expect("a UTF-8 path");
    setup.ok(&["library", "import", folder_arg, "--format", "files"]);
    // Again: nothing changes.
    setup.ok(&["library", "import", folder_arg, "--format", "files"]);
    let printed = setup.ok(&["library", "search", "ngoai giao van hoa", "--json"]);
    let answer: serde_json::Value = serde_json::from_str(&printed).expect("the API's JSON");
    // Imported items are internal to government by default: an anonymous search sees none.
    assert_eq!(answer["total"], 0, "{printed}");
    let server = Server::start(&setup, free_port());
    let token = setup.user_with_token("xem.bng", "viewer", "BNG");
    let client = dongbo_library::http::client();
    let answer: serde_json::Value = client
        .get(format!("{}/api/v1/library/search?q=da+nang", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .expect("an answer")
        .json()
        .await
        .expect("JSON");
    assert_eq!(answer["total"], 1, "{answer}");
    assert_eq!(answer["hits"][0]["title"], "Đà Nẵng đón đoàn khách quốc tế");
    assert_eq!(answer["hits"][0]["source"], "da-nang.html");
}
