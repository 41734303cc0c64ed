//! The pages in a real headless Chromium, driven through ChromeDriver (Debian's `chromium` and
//! `chromium-driver`, installed by `cargo xtask test`).

mod common;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{ClientBuilder, Locator};

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
        _ if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") => {
            panic!(
                "CI=true but Chromium/ChromeDriver are missing: run the tests with `cargo xtask test`"
            )
        }
        _ => {
            eprintln!(
                "\n!!! SKIPPED: browser test needs /usr/bin/chromium and /usr/bin/chromedriver (cargo xtask test installs them)\n"
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

#[tokio::test]
async fn program_page_switches_to_english_and_opens_an_agency() {
    let Some((driver_path, chromium)) = chromedriver() else {
        return;
    };
    let app = common::TestApp::start(dongbo_testkit::TestDb::sqlite().await).await;
    let driver = start_driver(&driver_path).await;

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
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("connect to chromedriver");

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
