//! The pages in a real headless Chromium, driven through ChromeDriver (Debian's `chromium` and
//! `chromium-driver`, installed by `cargo xtask test`).

mod common;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use dongbo_store::assignments;
use fantoccini::{ClientBuilder, Locator};

/// A script expression: how many dates (`<time>`), numbers (`td.num`), documents' numbers
/// (`.doc-number`) and column headers' words of the page are broken across lines (laid out as
/// more than one line box; a header counts when one of its words is).
const WRAPPED_DATES_AND_NUMBERS: &str = "[...document.querySelectorAll('time, td.num, .doc-number')]\
     .filter(e => { const range = document.createRange(); range.selectNodeContents(e); \
       const lines = [...range.getClientRects()].filter(b => b.width > 0); \
       return new Set(lines.map(b => Math.round(b.top))).size > 1; }).length \
     + [...document.querySelectorAll('th')].filter(th => { \
       const walk = document.createTreeWalker(th, NodeFilter.SHOW_TEXT); let node, broken = false; \
       while ((node = walk.nextNode())) { const words = /\\S+/g; let m; \
         while ((m = words.exec(node.data))) { const r = document.createRange(); \
           r.setStart(node, m.index); r.setEnd(node, m.index + m[0].length); \
           const tops = new Set([...r.getClientRects()].filter(b => b.width > 0) \
             .map(b => Math.round(b.top))); if (tops.size > 1) broken = true; } } \
       return broken; }).length";

/// ChromeDriver on a free loopback port, killed on drop.
struct Driver {
    child: Child,
    port: u16,
    _profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn chromedriver() -> Option<(String, String)> {
    let driver = std::env::var("DONGBO_TEST_CHROMEDRIVER").ok().or_else(|| {
        std::path::Path::new("/usr/bin/chromedriver")
            .exists()
            .then(|| "/usr/bin/chromedriver".to_owned())
    });
    let chromium = std::env::var("DONGBO_TEST_CHROMIUM").ok().or_else(|| {
        std::path::Path::new("/usr/bin/chromium")
            .exists()
            .then(|| "/usr/bin/chromium".to_owned())
    });
    match (driver, chromium) {
        (Some(d), Some(c)) => Some((d, c)),
        _ => {
            dongbo_testkit::skip::skip(
                "the browser test needs /usr/bin/chromium and /usr/bin/chromedriver (cargo xtask test installs them)",
            );
            None
        }
    }
}

async fn start_driver(driver: &str) -> Driver {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Driver {
        child,
        port,
        _profile: tempfile::tempdir().unwrap(),
    }
}

/// A headless Chromium session through `driver`.
async fn chromium_client(driver: &Driver, chromium: &str) -> fantoccini::Client {
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": chromium,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--disable-quic", "--window-size=1280,900",
                format!("--user-data-dir={}", driver._profile.path().display()),
            ]
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("connect to chromedriver")
}

#[tokio::test]
async fn program_page_switches_to_english_and_opens_an_agency() {
    let Some((driver_path, chromium)) = chromedriver() else {
        return;
    };
    let app = common::TestApp::start(dongbo_testkit::TestDb::sqlite().await).await;
    let driver = start_driver(&driver_path).await;

    let client = chromium_client(&driver, &chromium).await;

    let result = async {
        client
            .goto(&format!("{}/programs/{}", app.base, app.program_id))
            .await?;
        let h1 = client.find(Locator::Css("h1")).await?.text().await?;
        assert_eq!(h1, "47/NQ-CP");
        let header = client
            .find(Locator::Css("table.tasks th:nth-child(3)"))
            .await?
            .text()
            .await?;
        assert_eq!(header, "Cơ quan chủ trì");
        let rows = client
            .find_all(Locator::Css("table.tasks tbody tr"))
            .await?;
        assert_eq!(rows.len(), 56);

        client
            .find(Locator::Id("lang-switch"))
            .await?
            .click()
            .await?;
        let header = client
            .wait()
            .for_element(Locator::XPath("//th[normalize-space()='Lead agency']"))
            .await?
            .text()
            .await?;
        assert_eq!(header, "Lead agency");
        if let Ok(dir) = std::env::var("DONGBO_SCREENSHOTS") {
            std::fs::write(format!("{dir}/program-en.png"), client.screenshot().await?).unwrap();
        }

        client
            .find(Locator::Css("#task-3\\.4 a[href='/agencies/BVHTTDL']"))
            .await?
            .click()
            .await?;
        let h1 = client
            .wait()
            .for_element(Locator::XPath("//h1[contains(., 'Culture')]"))
            .await?
            .text()
            .await?;
        assert_eq!(h1, "Ministry of Culture, Sports and Tourism");
        let url = client.current_url().await?;
        assert!(url.path().ends_with("/agencies/BVHTTDL"));
        if let Ok(dir) = std::env::var("DONGBO_SCREENSHOTS") {
            std::fs::write(format!("{dir}/agency-en.png"), client.screenshot().await?).unwrap();
        }
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    client.close().await.ok();
    result.expect("browser steps");
}

/// Logs `username` in through the login form, after logging out whoever was in.
async fn log_in(
    client: &fantoccini::Client,
    base: &str,
    username: &str,
) -> Result<(), fantoccini::error::CmdError> {
    client.delete_all_cookies().await?;
    client.goto(&format!("{base}/login?next=/my")).await?;
    client
        .find(Locator::Id("username"))
        .await?
        .send_keys(username)
        .await?;
    client
        .find(Locator::Id("password"))
        .await?
        .send_keys(common::PASSWORD)
        .await?;
    client
        .find(Locator::Css("form.login button[type=submit]"))
        .await?
        .click()
        .await?;
    client
        .wait()
        .for_element(Locator::XPath(
            "//h1[normalize-space()='Công việc của tôi']",
        ))
        .await?;
    Ok(())
}

/// The story of issue 3 in a real browser, on every backend: the coordinator opens 47/NQ-CP;
/// a ministry's officer sees its tasks, makes the ministry's plan with a task of its own, and
/// reports on task 3.21 with an evidence file; the leader returns it with a comment; the
/// officer fixes and resubmits; the leader accepts; the coordinator's dashboard shows it; and
/// an overdue reminder reaches the loopback SMTP server.
#[tokio::test]
async fn the_whole_story_from_plan_to_accepted_report_and_reminder() {
    let Some((driver_path, chromium)) = chromedriver() else {
        return;
    };
    let Some(smtp) = dongbo_testkit::smtp::TestSmtp::get() else {
        return;
    };
    for app in common::apps().await {
        app.user("dieu.phoi", "coordinator", "CP", false).await;
        app.user("bao.cao", "reporter", "BVHTTDL", false).await;
        app.user("lanh.dao", "approver", "BVHTTDL", false).await;
        let driver = start_driver(&driver_path).await;
        let client = chromium_client(&driver, &chromium).await;
        let evidence = tempfile::Builder::new().suffix(".pdf").tempfile().unwrap();
        std::fs::write(
            evidence.path(),
            b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
        )
        .unwrap();
        let base = app.base.clone();
        let backend = app.backend.clone();
        let shot = |name: &str| format!("{name}-{}", backend.to_lowercase());

        let result = async {
            // The coordinator opens the program.
            log_in(&client, &base, "dieu.phoi").await?;
            client
                .goto(&format!("{base}/programs/{}", app.program_id))
                .await?;
            assert_eq!(
                client.find(Locator::Css("h1")).await?.text().await?,
                "47/NQ-CP"
            );
            assert!(client.find(Locator::Id("dashboard-link")).await.is_ok());

            // The ministry's officer sees the tasks it leads and coordinates …
            log_in(&client, &base, "bao.cao").await?;
            let row = client
                .find(Locator::Css("#work-BVHTTDL a[href$='/tasks/3.21']"))
                .await?;
            assert_eq!(row.text().await?, "3.21");
            // … makes the ministry's plan, with a task of its own under 3.21.
            client
                .find(Locator::Css("#work-BVHTTDL form.create-plan button"))
                .await?
                .click()
                .await?;
            client.wait().for_element(Locator::Id("plan-tools")).await?;
            client
                .find(Locator::Css("#parent_task_code option[value='3.21']"))
                .await?
                .click()
                .await?;
            client
                .find(Locator::Id("title"))
                .await?
                .send_keys("Xây dựng phần mềm tổng hợp tin tức báo chí nước ngoài")
                .await?;
            client
                .find(Locator::Id("time_frame"))
                .await?
                .send_keys("Quý IV/2026")
                .await?;
            client
                .find(Locator::Css("form.add-task button"))
                .await?
                .click()
                .await?;
            let h1 = client
                .wait()
                .for_element(Locator::XPath("//h1[starts-with(., '3.21.1.')]"))
                .await?
                .text()
                .await?;
            assert!(h1.contains("phần mềm tổng hợp"), "{h1}");

            // … and reports on 3.21 with an evidence file.
            client.goto(&format!("{base}/my")).await?;
            client
                .find(Locator::Css(&format!(
                    "#work-BVHTTDL [data-program='{}'] a.report-link",
                    app.program_id
                )))
                .await?;
            let assignment = assignments::for_task(&app.db, app.program_id, "3.21")
                .await
                .unwrap()
                .into_iter()
                .find(|a| a.agency_code == "BVHTTDL")
                .unwrap()
                .id;
            let report = format!("{base}/assignments/{assignment}/report");
            client.goto(&report).await?;
            client
                .find(Locator::Id("results"))
                .await?
                .send_keys("Đã triển khai thu thập tin tức từ 12 nguồn báo chí nước ngoài")
                .await?;
            let progress = client.find(Locator::Id("progress")).await?;
            progress.clear().await?;
            progress.send_keys("60").await?;
            client
                .find(Locator::Id("file"))
                .await?
                .send_keys(&evidence.path().display().to_string())
                .await?;
            client
                .find(Locator::Id("submit-report"))
                .await?
                .click()
                .await?;
            client
                .wait()
                .for_element(Locator::Css("#report-status[data-status='submitted']"))
                .await?;
            let files = client
                .find(Locator::Id("report-files"))
                .await?
                .text()
                .await?;
            assert!(files.contains(".pdf"), "{files}");
            if let Ok(dir) = std::env::var("DONGBO_SCREENSHOTS") {
                std::fs::write(
                    format!("{dir}/{}.png", shot("report-submitted")),
                    client.screenshot().await?,
                )
                .unwrap();
            }

            // The leader returns it with a comment.
            log_in(&client, &base, "lanh.dao").await?;
            client.goto(&report).await?;
            client
                .find(Locator::Id("comment"))
                .await?
                .send_keys("Đề nghị nêu rõ số tin đã tổng hợp")
                .await?;
            // Each decision asks for its confirmation: opened, then confirmed.
            client
                .find(Locator::Id("return-report-open"))
                .await?
                .click()
                .await?;
            client
                .find(Locator::Id("return-report"))
                .await?
                .click()
                .await?;
            client
                .wait()
                .for_element(Locator::Css("#report-status[data-status='returned']"))
                .await?;

            // The officer reads the comment, fixes and resubmits.
            log_in(&client, &base, "bao.cao").await?;
            client.goto(&report).await?;
            let comment = client
                .find(Locator::Id("review-comment"))
                .await?
                .text()
                .await?;
            assert_eq!(comment, "Đề nghị nêu rõ số tin đã tổng hợp");
            client
                .find(Locator::Id("results"))
                .await?
                .send_keys("; đã tổng hợp 1.250 tin")
                .await?;
            client
                .find(Locator::Id("submit-report"))
                .await?
                .click()
                .await?;
            client
                .wait()
                .for_element(Locator::Css("#report-status[data-status='submitted']"))
                .await?;

            // The leader sees what changed since the return, and accepts with a comment
            // after confirming.
            log_in(&client, &base, "lanh.dao").await?;
            client.goto(&report).await?;
            let after = client
                .find(Locator::Css(
                    "#changes-since-return tr[data-field='results'] td.after",
                ))
                .await?
                .text()
                .await?;
            assert!(after.ends_with("đã tổng hợp 1.250 tin"), "{after}");
            // Closed, the confirmation is not there to be clicked by mistake.
            assert!(
                !client
                    .find(Locator::Id("accept-report"))
                    .await?
                    .is_displayed()
                    .await?
            );
            client
                .find(Locator::Id("comment"))
                .await?
                .send_keys("Đạt yêu cầu")
                .await?;
            client
                .find(Locator::Id("accept-report-open"))
                .await?
                .click()
                .await?;
            client
                .find(Locator::Id("accept-report"))
                .await?
                .click()
                .await?;
            client
                .wait()
                .for_element(Locator::Css("#report-status[data-status='accepted']"))
                .await?;
            let results = client
                .find(Locator::Id("report-results"))
                .await?
                .text()
                .await?;
            assert!(results.ends_with("đã tổng hợp 1.250 tin"), "{results}");
            let kept = client
                .find(Locator::Id("accept-comment"))
                .await?
                .text()
                .await?;
            assert_eq!(kept, "Đạt yêu cầu");

            // The coordinator's dashboard shows the task under way and the figures.
            log_in(&client, &base, "dieu.phoi").await?;
            client
                .goto(&format!("{base}/programs/{}/dashboard", app.program_id))
                .await?;
            let row = client.find(Locator::Css("tr[data-task='3.21']")).await?;
            // 3.21 is yearly and nothing was accepted for 2025, so it stays overdue; the 60%
            // just accepted for 2026 shows as its progress.
            assert_eq!(
                row.attr("data-state").await?.as_deref(),
                Some("overdue_not_done")
            );
            let cells = row.text().await?;
            assert!(cells.contains("60%"), "{cells}");
            let percent = client
                .find(Locator::Id("percent-done"))
                .await?
                .text()
                .await?;
            assert!(percent.ends_with('%'), "{percent}");
            let culture = client
                .find(Locator::Css("tr[data-agency='BVHTTDL']"))
                .await?
                .text()
                .await?;
            assert!(
                culture.contains("Bộ Văn hóa, Thể thao và Du lịch"),
                "{culture}"
            );
            if let Ok(dir) = std::env::var("DONGBO_SCREENSHOTS") {
                std::fs::write(
                    format!("{dir}/{}.png", shot("dashboard")),
                    client.screenshot().await?,
                )
                .unwrap();
            }
            Ok::<_, fantoccini::error::CmdError>(())
        }
        .await;
        client.close().await.ok();
        result.unwrap_or_else(|e| panic!("browser steps on {}: {e}", app.backend));

        // An overdue reminder reaches the loopback SMTP server: 2.1 (due 31/12/2024) is
        // overdue for Culture, Sports and Tourism.
        let address = dongbo_testkit::smtp::TestSmtp::unique_address("bvhttdl");
        dongbo_store::notifications::set_contact(&app.db, "BVHTTDL", &address)
            .await
            .unwrap();
        let config = dongbo_remind::RemindConfig {
            smtp: Some(dongbo_remind::SmtpConfig::new(
                smtp.host.clone(),
                smtp.port,
                "dongbo@localhost",
            )),
            ..Default::default()
        };
        dongbo_remind::Runner::new(app.db.clone(), config)
            .with_done_source(dongbo_remind::AcceptedReports)
            .drain()
            .await
            .unwrap();
        let mail = smtp.messages_to(&address);
        assert_eq!(
            mail.len(),
            1,
            "one digest for the agency on {}",
            app.backend
        );
        assert!(mail[0].subject.contains("quá hạn"), "{}", mail[0].subject);
        assert!(mail[0].body.contains("2.1"), "{}", mail[0].body);
    }
}

/// On a phone (375 × 812 CSS pixels) no page is wider than the screen: the page never scrolls
/// sideways (a wide table scrolls inside its own box), on the pages an officer and the
/// coordinator use, in Vietnamese.
#[tokio::test]
async fn the_pages_fit_a_phone_screen() {
    let Some((driver_path, chromium)) = chromedriver() else {
        return;
    };
    let app = common::TestApp::start(dongbo_testkit::TestDb::sqlite().await).await;
    app.user("dieu.phoi", "coordinator", "CP", false).await;
    app.user("bao.cao", "reporter", "BVHTTDL", false).await;
    let assignment = assignments::for_task(&app.db, app.program_id, "3.21")
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.agency_code == "BVHTTDL")
        .unwrap()
        .id;
    let driver = start_driver(&driver_path).await;
    let client = chromium_client(&driver, &chromium).await;
    let base = app.base.clone();
    let program = app.program_id;
    let dates_seen = std::sync::Arc::new(std::sync::atomic::AtomicI64::new(0));
    let result = async {
        client.set_window_size(375, 812).await?;
        let overflow = |path: String| {
            let client = client.clone();
            let base = base.clone();
            let dates_seen = dates_seen.clone();
            async move {
                client.goto(&format!("{base}{path}")).await?;
                let widths = client
                    .execute(
                        &format!(
                            "const w = window.innerWidth; \
                             const wider = [...document.querySelectorAll('body *')]\
                               .filter(e => e.getBoundingClientRect().right > w + 0.5 \
                                 && !e.closest('table'))\
                               .map(e => e.tagName + '.' + e.className + '#' + e.id).slice(0, 6); \
                             return [document.documentElement.scrollWidth, w, \
                             {WRAPPED_DATES_AND_NUMBERS}, document.querySelectorAll('time').length, \
                             wider];"
                        ),
                        vec![],
                    )
                    .await?;
                let (widths, wider): (Vec<i64>, Vec<String>) = match widths {
                    serde_json::Value::Array(mut all) => {
                        let wider = serde_json::from_value(all.pop().unwrap()).unwrap();
                        (serde_json::from_value(all.into()).unwrap(), wider)
                    }
                    other => panic!("not an array: {other}"),
                };
                assert!(
                    widths[0] <= widths[1],
                    "{path} is wider than the phone ({} > {}): {wider:?}",
                    widths[0],
                    widths[1]
                );
                dates_seen.fetch_add(widths[3], std::sync::atomic::Ordering::Relaxed);
                assert_eq!(widths[2], 0, "a date or a number breaks across lines on {path} (375 px)");
                Ok::<_, fantoccini::error::CmdError>((path, widths[0], widths[1]))
            }
        };
        let mut pages = vec![
            "/".to_owned(),
            format!("/programs/{program}/timeline"),
            format!("/programs/{program}"),
            format!("/programs/{program}/tasks/3.21"),
            "/agencies/BVHTTDL".to_owned(),
            "/login".to_owned(),
        ];
        let mut checked = Vec::new();
        for path in pages.drain(..) {
            checked.push(overflow(path).await?);
        }
        log_in(&client, &base, "bao.cao").await?;
        for path in [
            "/".to_owned(),
            "/my".to_owned(),
            format!("/assignments/{assignment}/report"),
        ] {
            checked.push(overflow(path).await?);
        }
        log_in(&client, &base, "dieu.phoi").await?;
        for path in [
            format!("/programs/{program}/dashboard"),
            format!("/programs/{program}/changes"),
            format!("/programs/{program}/completeness"),
        ] {
            checked.push(overflow(path).await?);
        }
        Ok::<_, fantoccini::error::CmdError>(checked)
    }
    .await;
    client.close().await.ok();
    let checked = result.expect("browser steps");
    eprintln!("page, scroll width, window width: {checked:?}");
    assert_eq!(checked.len(), 12);
    assert!(
        dates_seen.load(std::sync::atomic::Ordering::Relaxed) > 20,
        "the pages checked show dates"
    );
    let too_wide: Vec<_> = checked
        .iter()
        .filter(|(_, scroll, inner)| scroll > inner)
        .collect();
    assert!(
        checked.iter().all(|(_, _, inner)| *inner <= 400),
        "the window is a phone's: {checked:?}"
    );
    assert!(
        too_wide.is_empty(),
        "pages wider than the phone: {too_wide:?}"
    );
}

/// No other site can show a page of ours in a frame (clickjacking): another origin's page that
/// frames the login page gets Chromium's error page in the frame, not the form. A page of
/// that origin framing a page that allows it (its own) shows it, so the check can see a frame.
#[tokio::test]
async fn no_other_site_can_frame_a_page() {
    let Some((driver_path, chromium)) = chromedriver() else {
        return;
    };
    let app = common::TestApp::start(dongbo_testkit::TestDb::sqlite().await).await;
    // The other site: a plain HTTP server on another port (another origin) answering every
    // request with `/inner` (a page of its own with a form) or the page framing both.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let other = format!("http://{}", listener.local_addr().unwrap());
    let outer = format!(
        "<!doctype html><title>other</title>\
         <iframe id=ours src=\"{}/login\"></iframe><iframe id=theirs src=\"{other}/inner\"></iframe>",
        app.base
    );
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let outer = outer.clone();
            tokio::spawn(async move {
                let mut request = vec![0; 4096];
                let n = socket.read(&mut request).await.unwrap_or(0);
                let inner = String::from_utf8_lossy(&request[..n]).starts_with("GET /inner");
                let body = if inner {
                    "<!doctype html><title>inner</title><form class=login></form>".to_owned()
                } else {
                    outer
                };
                let answer = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\n\
                     content-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(answer.as_bytes()).await;
            });
        }
    });
    let driver = start_driver(&driver_path).await;
    let client = chromium_client(&driver, &chromium).await;

    let result = async {
        client.goto(&format!("{other}/")).await?;
        let forms_in = |frame: &'static str| {
            let client = client.clone();
            async move {
                client.enter_parent_frame().await?;
                client.find(Locator::Id(frame)).await?.enter_frame().await?;
                let found = client.find_all(Locator::Css("form.login")).await?.len();
                Ok::<_, fantoccini::error::CmdError>(found)
            }
        };
        assert_eq!(
            forms_in("theirs").await?,
            1,
            "a page that may be framed shows"
        );
        assert_eq!(
            forms_in("ours").await?,
            0,
            "our login page must not show in a frame"
        );
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    client.close().await.ok();
    result.expect("browser steps");
}

/// Issue 19's story of one report per agency, in a real browser on every backend: the
/// ministry's reporter opens the agency report from "My work", fills every task of the year on
/// one page and sends it; the leader finds it in the queue on the home page and returns it with
/// a comment on task 2.1; the reporter fixes that task and sends it again; the leader sees what
/// changed since the return and accepts with a comment; the coordinating office sees the
/// ministry's report sent on time and complete.
#[tokio::test]
async fn an_agency_sends_one_report_for_the_year_and_its_leader_returns_then_accepts_it() {
    let Some((driver_path, chromium)) = chromedriver() else {
        return;
    };
    for app in common::apps().await {
        app.user("dieu.phoi", "coordinator", "CP", false).await;
        app.user("bao.cao", "reporter", "BVHTTDL", false).await;
        app.user("lanh.dao", "approver", "BVHTTDL", false).await;
        let lead = app.lead_of(app.program_id, "2.1", "BVHTTDL").await;
        let driver = start_driver(&driver_path).await;
        let client = chromium_client(&driver, &chromium).await;
        let base = app.base.clone();
        let status = |s: &str| {
            Locator::Css(match s {
                "submitted" => "#agency-report-status[data-status='submitted']",
                "returned" => "#agency-report-status[data-status='returned']",
                _ => "#agency-report-status[data-status='accepted']",
            })
        };
        let result = async {
            // From "My work" to the agency's one report of the period.
            log_in(&client, &base, "bao.cao").await?;
            client
                .find(Locator::Css(&format!(
                    "#work-BVHTTDL [data-program='{}'] a.agency-report",
                    app.program_id
                )))
                .await?
                .click()
                .await?;
            client
                .wait()
                .for_element(Locator::Id("agency-report-form"))
                .await?;
            let tasks = client
                .find_all(Locator::Css("#agency-report-form section.task-part"))
                .await?
                .len();
            assert!(tasks > 20, "{tasks} tasks on one page");
            // Every task filled as an official would, one after another.
            for field in client
                .find_all(Locator::Css(
                    "#agency-report-form textarea[name$='_results']",
                ))
                .await?
            {
                field.send_keys("Đã thực hiện theo kế hoạch").await?;
            }
            for field in client
                .find_all(Locator::Css("#agency-report-form input[name$='_progress']"))
                .await?
            {
                field.clear().await?;
                field.send_keys("60").await?;
            }
            client
                .find(Locator::Id("agency-submit"))
                .await?
                .click()
                .await?;
            client.wait().for_element(status("submitted")).await?;

            // The leader finds it in the queue on the home page and returns it.
            log_in(&client, &base, "lanh.dao").await?;
            client.goto(&format!("{base}/")).await?;
            client
                .find(Locator::Css("#awaiting-review ol.queue a"))
                .await?
                .click()
                .await?;
            client
                .wait()
                .for_element(Locator::Id("agency-review-form"))
                .await?;
            client
                .find(Locator::Id(&format!("c{lead}")))
                .await?
                .send_keys("Nêu rõ số hội nghị đã tổ chức")
                .await?;
            client
                .find(Locator::Id("agency-comment"))
                .await?
                .send_keys("Bổ sung số liệu")
                .await?;
            client
                .find(Locator::Id("agency-return"))
                .await?
                .click()
                .await?;
            client.wait().for_element(status("returned")).await?;

            // The reporter sees the comment on task 2.1, fixes it and sends again.
            log_in(&client, &base, "bao.cao").await?;
            client
                .goto(&format!(
                    "{base}/programs/{}/agencies/BVHTTDL/report",
                    app.program_id
                ))
                .await?;
            let comment = client
                .find(Locator::Css(&format!("#task-{lead} .task-comment")))
                .await?
                .text()
                .await?;
            assert!(comment.contains("Nêu rõ số hội nghị"), "{comment}");
            let field = client
                .find(Locator::Id(&format!("t{lead}_results")))
                .await?;
            field.clear().await?;
            field.send_keys("Đã tổ chức 3 hội nghị").await?;
            client
                .find(Locator::Id("agency-submit"))
                .await?
                .click()
                .await?;
            client.wait().for_element(status("submitted")).await?;

            // The leader sees what changed since the return and accepts with a comment.
            log_in(&client, &base, "lanh.dao").await?;
            client
                .goto(&format!(
                    "{base}/programs/{}/agencies/BVHTTDL/report",
                    app.program_id
                ))
                .await?;
            let changed = client
                .find(Locator::Id("changes-since-return"))
                .await?
                .text()
                .await?;
            assert!(changed.contains(&format!("1 / {tasks}")), "{changed}");
            let now = client
                .find(Locator::Css(&format!("#task-{lead} table.changes ins")))
                .await?
                .text()
                .await?;
            assert_eq!(now, "Đã tổ chức 3 hội nghị");
            client
                .find(Locator::Id("agency-comment"))
                .await?
                .send_keys("Đạt yêu cầu")
                .await?;
            client
                .find(Locator::Id("agency-accept"))
                .await?
                .click()
                .await?;
            client.wait().for_element(status("accepted")).await?;
            let kept = client
                .find(Locator::Id("agency-accept-comment"))
                .await?
                .text()
                .await?;
            assert_eq!(kept, "Đạt yêu cầu");

            // The coordinating office sees the ministry complete, sent on time.
            log_in(&client, &base, "dieu.phoi").await?;
            client
                .goto(&format!("{base}/programs/{}/completeness", app.program_id))
                .await?;
            let line = client
                .find(Locator::Css("tr[data-agency='BVHTTDL'] td.agency-report a"))
                .await?
                .text()
                .await?;
            assert!(line.starts_with("Gửi đúng hạn"), "{line}");
            let complete = client
                .find(Locator::Css("tr[data-agency='BVHTTDL']"))
                .await?
                .attr("data-complete")
                .await?;
            assert_eq!(complete.as_deref(), Some("true"));
            Ok::<_, fantoccini::error::CmdError>(())
        }
        .await;
        client.close().await.ok();
        result.unwrap_or_else(|e| panic!("browser steps on {}: {e}", app.backend));
    }
}

#[tokio::test]
async fn a_reporter_finds_an_item_without_diacritics_opens_it_and_cites_it_in_a_report() {
    let Some((driver_path, chromium)) = chromedriver() else {
        return;
    };
    let app = common::TestApp::start(dongbo_testkit::TestDb::sqlite().await).await;
    app.user("thu.vien", "librarian", "BNG", false).await;
    app.user("bao.cao", "reporter", "BVHTTDL", false).await;
    let title = "Thông tin đối ngoại về biển, đảo Việt Nam";
    {
        // The librarian's item, added through the form.
        let (mut browser, csrf) = app.session("thu.vien").await;
        let added = browser
            .post_raw(
                "/library/items",
                &[
                    ("csrf", &csrf),
                    ("title", title),
                    ("kind", "publication"),
                    ("owner", "BNG"),
                    ("visibility", "public"),
                    (
                        "body",
                        "Ấn phẩm giới thiệu chủ quyền biển, đảo của Việt Nam.",
                    ),
                ],
            )
            .await;
        assert_eq!(added.status(), 303);
    }
    let driver = start_driver(&driver_path).await;
    let client = chromium_client(&driver, &chromium).await;
    let base = app.base.clone();
    let result = async {
        log_in(&client, &base, "bao.cao").await?;
        // From the header to the library; typed as on a phone, without diacritics.
        client
            .find(Locator::Css("header.site a[href='/library']"))
            .await?
            .click()
            .await?;
        let search = client
            .wait()
            .for_element(Locator::Css("#library-search input[name=q]"))
            .await?;
        search.send_keys("thong tin doi ngoai bien dao").await?;
        client
            .find(Locator::Css("#library-search button[type=submit]"))
            .await?
            .click()
            .await?;
        let hit = client
            .wait()
            .for_element(Locator::Css("ol.library-hits li a.title"))
            .await?;
        assert_eq!(hit.text().await?, title);
        let marked = client
            .find_all(Locator::Css("ol.library-hits li p.snippet mark"))
            .await?
            .len();
        assert!(marked > 0, "the words found are marked in the snippet");
        hit.click().await?;
        let heading = client.wait().for_element(Locator::Id("item-title")).await?;
        assert_eq!(heading.text().await?, title);
        // Cite it in the report of one of the reporter's assignments.
        client
            .find(Locator::Css("#cite-form button[type=submit]"))
            .await?
            .click()
            .await?;
        let cited = client
            .wait()
            .for_element(Locator::Css("#library-items .cited-item a"))
            .await?;
        assert_eq!(cited.text().await?, title);
        Ok::<(), fantoccini::error::CmdError>(())
    }
    .await;
    client.close().await.ok();
    result.expect("browser steps");
}

/// Issue 21, point 1 in a real browser: a ministry's administrator, from the menu, creates a
/// reporter (the first password shown once), gives them a second role, disables them, then
/// creates two focal points from a CSV sheet; one of them signs in with the password shown
/// and is asked to change it first.
#[tokio::test]
async fn a_ministrys_administrator_sets_up_its_people_in_the_browser() {
    let Some((driver_path, chromium)) = chromedriver() else {
        return;
    };
    let app = common::TestApp::start(dongbo_testkit::TestDb::sqlite().await).await;
    app.user("btc_admin", "admin", "BTC", false).await;
    let sheet_dir = tempfile::tempdir().unwrap();
    let sheet = sheet_dir.path().join("dau-moi.csv");
    std::fs::write(
        &sheet,
        "Họ và tên,E-mail,Cơ quan,Vai trò\r\n\
         Phạm Văn Đức,duc@btc.gov.vn,Bảo hiểm xã hội Việt Nam,Báo cáo viên\r\n\
         Vũ Thị Mai,mai@btc.gov.vn,BTC,Phê duyệt\r\n",
    )
    .unwrap();
    let driver = start_driver(&driver_path).await;
    let client = chromium_client(&driver, &chromium).await;
    let base = app.base.clone();
    let result = async {
        log_in(&client, &base, "btc_admin").await?;
        client
            .find(Locator::Id("admin-users"))
            .await?
            .click()
            .await?;
        client
            .wait()
            .for_element(Locator::XPath(
                "//h1[normalize-space()='Người dùng và vai trò']",
            ))
            .await?;
        let fill = |id: &'static str, text: &'static str| {
            let client = client.clone();
            async move { client.find(Locator::Id(id)).await?.send_keys(text).await }
        };
        fill("new-username", "lan@btc.gov.vn").await?;
        fill("new-display_name", "Nguyễn Thị Lan").await?;
        fill("new-email", "lan@btc.gov.vn").await?;
        client
            .find(Locator::Id("new-role"))
            .await?
            .select_by_value("reporter")
            .await?;
        client
            .find(Locator::Id("new-agency"))
            .await?
            .select_by_value("BHXH")
            .await?;
        client
            .find(Locator::Css("#new-user button[type=submit]"))
            .await?
            .click()
            .await?;
        let password = client
            .wait()
            .for_element(Locator::Css("code.password"))
            .await?
            .text()
            .await?;
        assert_eq!(password.chars().count(), 20);
        client
            .find(Locator::Css("#created td a"))
            .await?
            .click()
            .await?;
        client.wait().for_element(Locator::Id("grant")).await?;
        let page = client.source().await?;
        assert!(
            !page.contains(&password),
            "the first password is shown once"
        );
        client
            .find(Locator::Css("#grant #new-role"))
            .await?
            .select_by_value("librarian")
            .await?;
        client
            .find(Locator::Css("#grant #new-agency"))
            .await?
            .select_by_value("BTC")
            .await?;
        client
            .find(Locator::Css("#grant button[type=submit]"))
            .await?
            .click()
            .await?;
        let done = client
            .wait()
            .for_element(Locator::Id("done"))
            .await?
            .text()
            .await?;
        assert_eq!(done, "Đã giao vai trò.");
        let grants = client.find(Locator::Id("grants")).await?.text().await?;
        assert!(
            grants.contains("Thủ thư") && grants.contains("Báo cáo viên"),
            "{grants}"
        );
        client
            .find(Locator::Css("#disable button[type=submit]"))
            .await?
            .click()
            .await?;
        client
            .wait()
            .for_element(Locator::XPath(
                "//p[@id='done' and contains(., 'vô hiệu hoá')]",
            ))
            .await?;
        let state = client.find(Locator::Id("user-state")).await?.text().await?;
        assert_eq!(state, "Đã vô hiệu hoá");

        client.goto(&format!("{base}/admin/users")).await?;
        client
            .find(Locator::Id("file"))
            .await?
            .send_keys(&sheet.display().to_string())
            .await?;
        client
            .find(Locator::Css("#bulk-users button[type=submit]"))
            .await?
            .click()
            .await?;
        client.wait().for_element(Locator::Css("#created")).await?;
        let shown = client.find_all(Locator::Css("code.password")).await?;
        assert_eq!(shown.len(), 2);
        let duc_password = shown[0].text().await?;
        let created = client.find(Locator::Id("created")).await?.text().await?;
        assert!(
            created.contains("Phạm Văn Đức") && created.contains("Vũ Thị Mai"),
            "{created}"
        );

        // Đức signs in with what was handed to him and must choose his own password first.
        client.delete_all_cookies().await?;
        client.goto(&format!("{base}/login?next=/my")).await?;
        client
            .find(Locator::Id("username"))
            .await?
            .send_keys("duc@btc.gov.vn")
            .await?;
        client
            .find(Locator::Id("password"))
            .await?
            .send_keys(&duc_password)
            .await?;
        client
            .find(Locator::Css("form.login button[type=submit]"))
            .await?
            .click()
            .await?;
        client
            .wait()
            .for_element(Locator::Id("password-form"))
            .await?;
        assert!(
            client
                .current_url()
                .await?
                .path()
                .starts_with("/account/password")
        );
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    client.close().await.ok();
    result.expect("browser steps");
}

/// At 1366 × 900 (a common office laptop) the home page, signed in and not, and a program's
/// timeline are no wider than the screen: nothing scrolls sideways and no element reaches past
/// the window's right edge; the timeline's drawing fills the page's width.
#[tokio::test]
async fn the_home_page_and_the_timeline_fit_a_laptop_screen() {
    let Some((driver_path, chromium)) = chromedriver() else {
        return;
    };
    let app = common::TestApp::start(dongbo_testkit::TestDb::sqlite().await).await;
    app.user("bao.cao", "reporter", "BVHTTDL", false).await;
    let driver = start_driver(&driver_path).await;
    let client = chromium_client(&driver, &chromium).await;
    let base = app.base.clone();
    let program = app.program_id;
    let result = async {
        client.set_window_size(1366, 900).await?;
        let measure = |path: String, name: &'static str| {
            let client = client.clone();
            let base = base.clone();
            async move {
                client.goto(&format!("{base}{path}")).await?;
                let seen = client
                    .execute(
                        "const w = window.innerWidth;\
                         const wider = [...document.querySelectorAll('body *')]\
                           .filter(e => e.getBoundingClientRect().right > w + 0.5)\
                           .map(e => e.tagName + '.' + e.className);\
                         const svg = document.querySelector('svg.timeline');\
                         return [document.documentElement.scrollWidth, w, wider.length,\
                                 svg ? Math.round(svg.getBoundingClientRect().width) : 0,\
                                 WRAPPED];"
                            .replace("WRAPPED", WRAPPED_DATES_AND_NUMBERS)
                            .as_str(),
                        vec![],
                    )
                    .await?;
                let seen: Vec<i64> = serde_json::from_value(seen).unwrap();
                if let Ok(dir) = std::env::var("DONGBO_SCREENSHOTS") {
                    let name = format!("{name}.png");
                    std::fs::write(format!("{dir}/{name}"), client.screenshot().await?).unwrap();
                }
                Ok::<_, fantoccini::error::CmdError>((path, seen))
            }
        };
        let mut checked = vec![
            measure("/".to_owned(), "home-public").await?,
            measure(format!("/programs/{program}/timeline"), "timeline").await?,
        ];
        log_in(&client, &base, "bao.cao").await?;
        checked.push(measure("/".to_owned(), "home-signed-in").await?);
        Ok::<_, fantoccini::error::CmdError>(checked)
    }
    .await;
    client.close().await.ok();
    let checked = result.expect("browser steps");
    eprintln!(
        "page, [scroll width, window width, elements past the edge, timeline width]: {checked:?}"
    );
    for (path, seen) in &checked {
        assert!(seen[1] > 1000, "a laptop's window: {path} {seen:?}");
        assert!(seen[0] <= seen[1], "{path} scrolls sideways: {seen:?}");
        assert_eq!(
            seen[2], 0,
            "{path} has elements past the right edge: {seen:?}"
        );
        assert_eq!(
            seen[4], 0,
            "a date or a number breaks across lines on {path}"
        );
    }
    let timeline = &checked[1].1;
    assert!(
        timeline[3] > timeline[1] / 2,
        "the timeline fills the page's width: {timeline:?}"
    );
}

/// `/my` as a reporter reads it (issue 21, rough edges): the dashboard's tables name each task
/// beside its number, a filter keeps only the tasks the agency leads or only those it
/// coordinates, the tables come before the notices, and the notices are grouped by program,
/// each group folding away, with the «… và N thông báo khác» a link to all of them.
#[tokio::test]
async fn a_reporter_reads_my_work_by_task_name_role_and_program() {
    use dongbo_store::notifications::{NewNotification, notify_many};
    let Some((driver_path, chromium)) = chromedriver() else {
        return;
    };
    let app = common::TestApp::start(dongbo_testkit::TestDb::sqlite().await).await;
    app.user("bao.cao", "reporter", "BVHTTDL", false).await;
    let assignment = app.lead_of(app.program_id, "3.4", "BVHTTDL").await;
    let notice = |i: usize, link: Option<String>| NewNotification {
        agency_code: "BVHTTDL".to_owned(),
        user_id: None,
        kind: "due_soon".to_owned(),
        title: format!("Thông báo thử số {i}"),
        body: String::new(),
        link,
        dedupe_key: format!("thu-{i}"),
    };
    let notices: Vec<NewNotification> = (0..24)
        .map(|i| {
            notice(
                i,
                (i % 2 == 0).then(|| format!("/assignments/{assignment}/report")),
            )
        })
        .collect();
    notify_many(&app.db, &notices, dongbo_domain::clock::now())
        .await
        .unwrap();
    let driver = start_driver(&driver_path).await;
    let client = chromium_client(&driver, &chromium).await;
    let base = app.base.clone();
    let result = async {
        log_in(&client, &base, "bao.cao").await?;
        // Each row of the to-do names its task.
        let titles = client
            .find_all(Locator::Css("#to-do-BVHTTDL td.task-title"))
            .await?;
        assert!(!titles.is_empty());
        for title in &titles {
            assert!(title.text().await?.chars().count() > 10, "a task's name");
        }
        let roles = |client: fantoccini::Client| async move {
            let mut seen = Vec::new();
            for row in client
                .find_all(Locator::Css("#to-do-BVHTTDL tbody tr td:nth-child(4)"))
                .await?
            {
                seen.push(row.text().await?);
            }
            Ok::<_, fantoccini::error::CmdError>(seen)
        };
        let all = roles(client.clone()).await?;
        assert!(all.iter().any(|r| r == "Chủ trì") && all.iter().any(|r| r == "Phối hợp"));
        // Only what it coordinates.
        client
            .find(Locator::Css("#dashboard-BVHTTDL select[name=role]"))
            .await?
            .select_by_value("coordinating")
            .await?;
        client
            .find(Locator::Css(
                "#dashboard-BVHTTDL form.filters button[type=submit]",
            ))
            .await?
            .click()
            .await?;
        client
            .wait()
            .for_element(Locator::Css(
                "#dashboard-BVHTTDL select[name=role] option[value=coordinating][selected]",
            ))
            .await?;
        let coordinating = roles(client.clone()).await?;
        assert!(!coordinating.is_empty());
        assert!(
            coordinating.iter().all(|r| r == "Phối hợp"),
            "{coordinating:?}"
        );
        assert!(coordinating.len() < all.len());

        client.goto(&format!("{base}/my")).await?;
        // The tables first, the notices after.
        let top = |css: &'static str| {
            let client = client.clone();
            async move {
                let y = client.find(Locator::Css(css)).await?.rectangle().await?.1;
                Ok::<_, fantoccini::error::CmdError>(y)
            }
        };
        assert!(top("#dashboard-BVHTTDL").await? < top("#notices-BVHTTDL").await?);
        // Grouped by program: 47/NQ-CP's, then the general ones; 20 shown.
        let groups = client
            .find_all(Locator::Css(
                "#notices-BVHTTDL details.notice-group summary",
            ))
            .await?;
        let mut labels = Vec::new();
        for group in &groups {
            labels.push(group.text().await?);
        }
        assert_eq!(
            labels,
            ["47/NQ-CP — 10", "Thông báo chung — 10"],
            "{labels:?}"
        );
        assert_eq!(
            client
                .find_all(Locator::Css("#notices-BVHTTDL li.notice"))
                .await?
                .len(),
            20
        );
        // A group folds away at a click.
        groups[0].clone().click().await?;
        let open = client
            .execute(
                "return document.querySelector('#notices-BVHTTDL details.notice-group').open;",
                vec![],
            )
            .await?;
        assert_eq!(open, serde_json::json!(false));
        // The rest is a link away.
        client
            .find(Locator::LinkText("… và 4 thông báo khác."))
            .await?
            .click()
            .await?;
        client
            .wait()
            .for_element(Locator::Css("#notices-BVHTTDL"))
            .await?;
        assert_eq!(
            client
                .find_all(Locator::Css("#notices-BVHTTDL li.notice"))
                .await?
                .len(),
            24
        );
        assert!(client.current_url().await?.as_str().contains("notices=all"));
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    client.close().await.ok();
    result.expect("browser steps");
}
