//! A running Đồng Bộ server on `127.0.0.1:0` with the directory and 47/NQ-CP loaded, driven
//! over real HTTP.
#![allow(
    dead_code,
    reason = "each test binary uses a different part of these helpers"
)]

use std::sync::Arc;

use dongbo_domain::Directory;
use dongbo_testkit::TestDb;

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub program_id: i64,
    pub backend: String,
    _db: TestDb,
}

impl TestApp {
    pub async fn start(test_db: TestDb) -> TestApp {
        let directory = Directory::bundled();
        let db = test_db.db.clone();
        let program_id = dongbo_testkit::load_47_assigned(&db, &directory).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a port");
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = dongbo_web::AppState {
            db,
            directory: Arc::new(directory),
        };
        tokio::spawn(dongbo_web::serve(listener, state, std::future::pending()));
        TestApp {
            base,
            client: reqwest::Client::new(),
            program_id,
            backend: format!("{:?}", test_db.db.backend()),
            _db: test_db,
        }
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("request")
    }

    /// The page's HTML, asserting a 200.
    pub async fn page(&self, path: &str) -> String {
        let response = self.get(path).await;
        assert_eq!(response.status(), 200, "GET {path} on {}", self.backend);
        response.text().await.unwrap()
    }

    pub async fn json(&self, path: &str) -> serde_json::Value {
        let response = self.get(path).await;
        assert_eq!(response.status(), 200, "GET {path} on {}", self.backend);
        response.json().await.unwrap()
    }
}

/// One app per available backend: SQLite always, PostgreSQL when the test run has one.
pub async fn apps() -> Vec<TestApp> {
    let mut apps = Vec::new();
    for db in dongbo_testkit::all_backends().await {
        apps.push(TestApp::start(db).await);
    }
    apps
}
