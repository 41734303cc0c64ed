//! A running Đồng Bộ server on `127.0.0.1:0` with the directory and 47/NQ-CP loaded, driven
//! over real HTTP.
#![allow(
    dead_code,
    reason = "each test binary uses a different part of these helpers"
)]

use dongbo_domain::Directory;
use dongbo_testkit::TestDb;

pub mod documents;

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub program_id: i64,
    pub backend: String,
    pub db: dongbo_store::Db,
    /// The folder of evidence files.
    pub files: std::path::PathBuf,
    _db: TestDb,
    _files: Option<tempfile::TempDir>,
}

impl TestApp {
    pub async fn start(test_db: TestDb) -> TestApp {
        let files = tempfile::tempdir().expect("a folder for evidence files");
        let mut app = TestApp::start_in(test_db, files.path().to_owned()).await;
        app._files = Some(files);
        app
    }

    /// A server whose clock is pinned at `clock` (for what is judged by the day).
    pub async fn start_at(test_db: TestDb, clock: dongbo_domain::Clock) -> TestApp {
        let files = tempfile::tempdir().expect("a folder for evidence files");
        let mut app = TestApp::launch(test_db, files.path().to_owned(), clock).await;
        app._files = Some(files);
        app
    }

    /// A server whose evidence files go to `files` (a folder the test prepared).
    pub async fn start_in(test_db: TestDb, files: std::path::PathBuf) -> TestApp {
        TestApp::launch(test_db, files, dongbo_domain::Clock::system()).await
    }

    async fn launch(
        test_db: TestDb,
        files: std::path::PathBuf,
        clock: dongbo_domain::Clock,
    ) -> TestApp {
        let directory = Directory::bundled();
        let db = test_db.db.clone();
        let program_id = dongbo_testkit::load_47_assigned(&db, &directory).await;
        // The library's starting topics, as a server's first run loads them.
        dongbo_store::library::topics::seed(
            &db,
            &dongbo_domain::library::bundled_topics(),
            "system",
            dongbo_domain::clock::now(),
        )
        .await
        .expect("the starting topics");
        TestApp {
            base: serve_at(db, directory, files.clone(), clock).await,
            client: dongbo_library::http::client(),
            program_id,
            backend: format!("{:?}", test_db.db.backend()),
            db: test_db.db.clone(),
            files,
            _db: test_db,
            _files: None,
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

/// Serves `db` on a new loopback port; its base URL.
pub async fn serve(
    db: dongbo_store::Db,
    directory: Directory,
    files: std::path::PathBuf,
) -> String {
    serve_at(db, directory, files, dongbo_domain::Clock::system()).await
}

/// Serves `db` on a new loopback port with its clock at `clock`; its base URL.
pub async fn serve_at(
    db: dongbo_store::Db,
    directory: Directory,
    files: std::path::PathBuf,
    clock: dongbo_domain::Clock,
) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a port");
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = dongbo_web::AppState::new(db, directory, files).with_clock(clock);
    tokio::spawn(dongbo_web::serve(listener, state, std::future::pending()));
    base
}

/// A password that meets the policy.
pub const PASSWORD: &str = "Mật khẩu đủ dài 2025";

impl TestApp {
    /// Creates `username` with `role` on `agency` (and the password [`PASSWORD`]); `first`
    /// makes it a password someone else chose, to be changed at the first login.
    pub async fn user(&self, username: &str, role: &str, agency: &str, first: bool) {
        use dongbo_domain::access::{Grant, PasswordPolicy};
        use dongbo_store::accounts;
        accounts::create_user(
            &self.db,
            "test",
            &accounts::NewUser {
                username: username.into(),
                display_name: format!("Cán bộ {username}"),
                password: PASSWORD.into(),
                must_change_password: first,
            },
            &PasswordPolicy::default(),
        )
        .await
        .expect("create a user");
        accounts::grant(
            &self.db,
            "test",
            username,
            &Grant::new(role.parse().expect("a role"), agency),
        )
        .await
        .expect("grant a role");
    }

    /// A browser-like client that does not follow redirects and keeps the session cookie.
    pub fn browser(&self) -> Browser {
        Browser {
            base: self.base.clone(),
            client: dongbo_library::http::client_builder(&dongbo_library::http::Trust::system())
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: Vec::new(),
        }
    }

    /// A browser logged in as `username` with [`PASSWORD`].
    pub async fn logged_in(&self, username: &str) -> Browser {
        let mut browser = self.browser();
        let response = browser.login(username, PASSWORD).await;
        assert_eq!(
            response.status(),
            303,
            "login of {username} on {}",
            self.backend
        );
        browser
    }
}

/// Cookies by hand: enough for a session and the login form's token.
pub struct Browser {
    pub base: String,
    pub client: reqwest::Client,
    pub cookies: Vec<(String, String)>,
}

impl Browser {
    fn remember(&mut self, response: &reqwest::Response) {
        for value in response.headers().get_all(reqwest::header::SET_COOKIE) {
            let text = value.to_str().unwrap();
            let pair = text.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            self.cookies.retain(|(n, _)| n != name);
            let deleted = text.contains("Max-Age=0");
            if !deleted {
                self.cookies.push((name.to_owned(), value.to_owned()));
            }
        }
    }

    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub async fn get(&mut self, path: &str) -> reqwest::Response {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .header(reqwest::header::COOKIE, self.cookie_header())
            .send()
            .await
            .expect("request");
        self.remember(&response);
        response
    }

    pub async fn text(&mut self, path: &str) -> String {
        let response = self.get(path).await;
        assert_eq!(response.status(), 200, "GET {path}");
        response.text().await.unwrap()
    }

    /// Posts a form as it is, without adding a CSRF token.
    pub async fn post_raw(&mut self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        let body = form
            .iter()
            .map(|(k, v)| format!("{k}={}", urlencode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .header(reqwest::header::COOKIE, self.cookie_header())
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(body)
            .send()
            .await
            .expect("request");
        self.remember(&response);
        response
    }

    /// Posts a form with the session's CSRF token, read from a page as a browser would.
    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        let page = self.text("/my").await;
        let csrf = hidden_value(&page, "csrf").expect("a page of a session has a CSRF token");
        let mut fields: Vec<(&str, &str)> = vec![("csrf", &csrf)];
        fields.extend_from_slice(form);
        self.post_raw(path, &fields).await
    }

    /// Posts a multipart form (a report with a file) to `path`, which carries the CSRF token
    /// in its query as the page's form does.
    pub async fn post_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &str, &[u8])>,
    ) -> reqwest::Response {
        self.post_multipart_files(path, fields, file.as_slice())
            .await
    }

    /// [`post_multipart`](Self::post_multipart) with several files, as a file input that
    /// takes `multiple` sends them: each a `file` part.
    pub async fn post_multipart_files(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
    ) -> reqwest::Response {
        let boundary = "dongbo-test-boundary-7f3a";
        let mut body: Vec<u8> = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        for (file_name, content_type, bytes) in files {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .header(reqwest::header::COOKIE, self.cookie_header())
            .header(
                reqwest::header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body)
            .send()
            .await
            .expect("request");
        self.remember(&response);
        response
    }

    /// The action (with its query) of the form with id `form_id` on `html`, entities undone.
    pub fn form_action(html: &str, form_id: &str) -> String {
        let start = html.find(&format!("id=\"{form_id}\"")).expect("the form");
        let rest = &html[start..];
        let action = rest.find("action=\"").unwrap() + "action=\"".len();
        let end = rest[action..].find('"').unwrap() + action;
        rest[action..end].replace("&amp;", "&")
    }

    pub async fn login(&mut self, username: &str, password: &str) -> reqwest::Response {
        let page = self.text("/login?next=/my").await;
        let csrf = hidden_value(&page, "csrf").expect("the login form has a token");
        self.post_raw(
            "/login",
            &[
                ("csrf", &csrf),
                ("next", "/my"),
                ("username", username),
                ("password", password),
            ],
        )
        .await
    }
}

/// The value of the first hidden input named `name` in `html`.
pub fn hidden_value(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}

pub fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The `Location` of a redirect.
pub fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(reqwest::header::LOCATION)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// One app per available backend: SQLite always, PostgreSQL when the test run has one.
pub async fn apps() -> Vec<TestApp> {
    let mut apps = Vec::new();
    for db in dongbo_testkit::all_backends().await {
        apps.push(TestApp::start(db).await);
    }
    apps
}

impl TestApp {
    /// A browser with a new session of `username` opened in the store, and the session's CSRF
    /// token: for tests that act as many users without going through the (throttled) login
    /// form.
    pub async fn session(&self, username: &str) -> (Browser, String) {
        use dongbo_store::accounts;
        let user = accounts::get_user(&self.db, username)
            .await
            .expect("read a user")
            .expect("the user exists");
        let session = accounts::create_session(
            &self.db,
            user.id,
            &accounts::SessionPolicy::default(),
            dongbo_domain::clock::now(),
        )
        .await
        .expect("open a session");
        let mut browser = self.browser();
        browser
            .cookies
            .push(("dongbo_session".to_owned(), session.token));
        (browser, session.csrf_token)
    }

    /// What the database holds, table by table: enough to tell that a refused request changed
    /// nothing. Sessions and API tokens are compared without the times a request moves on
    /// (last seen, last used). One query reads
    /// every table, each as its rows' text in order (joined by the database), so it stays fast
    /// on a database with 47/NQ-CP assigned to every ministry and province.
    pub async fn fingerprint(&self) -> Fingerprint {
        use sqlx::Row;
        let pool = self.db.pool();
        let postgres = self.db.backend() == dongbo_store::Backend::Postgres;
        let columns_sql = if postgres {
            "SELECT table_name::text AS name, column_name::text AS col \
             FROM information_schema.columns WHERE table_schema = current_schema() \
             AND table_name NOT LIKE '\\_sqlx%' ORDER BY table_name, ordinal_position"
        } else {
            "SELECT m.name AS name, p.name AS col FROM sqlite_master m \
             JOIN pragma_table_info(m.name) p WHERE m.type = 'table' \
             AND m.name NOT LIKE 'sqlite%' AND m.name NOT LIKE '\\_sqlx%' ESCAPE '\\' \
             ORDER BY m.name, p.cid"
        };
        let mut columns: std::collections::BTreeMap<String, Vec<String>> = Default::default();
        for row in sqlx::query(columns_sql)
            .fetch_all(pool)
            .await
            .expect("list the columns")
        {
            let table: String = row.get("name");
            let column: String = row.get("col");
            let moved_by_use = match table.as_str() {
                "sessions" => matches!(column.as_str(), "last_seen_at" | "idle_expires_at"),
                "api_tokens" => column == "last_used_at",
                _ => false,
            };
            if moved_by_use {
                continue;
            }
            columns.entry(table).or_default().push(column);
        }
        let parts: Vec<String> = columns
            .iter()
            .map(|(table, columns)| {
                let line = columns
                    .iter()
                    .map(|c| format!("COALESCE(CAST(\"{c}\" AS TEXT), '\u{2400}')"))
                    .collect::<Vec<_>>()
                    .join(" || '\u{1f}' || ");
                let joined = if postgres {
                    "md5(string_agg(line, '\n' ORDER BY line COLLATE \"C\"))"
                } else {
                    "group_concat(line, char(10))"
                };
                format!(
                    "SELECT '{table}' AS name, COUNT(*) AS n, {joined} AS content \
                     FROM (SELECT {line} AS line FROM \"{table}\" ORDER BY line) rows_{table}"
                )
            })
            .collect();
        let rows = sqlx::query(sqlx::AssertSqlSafe(parts.join(" UNION ALL ")))
            .fetch_all(pool)
            .await
            .expect("read every table");
        let mut fingerprint = Fingerprint::default();
        for row in rows {
            let content: Option<String> = row.get("content");
            let mut hasher = std::hash::DefaultHasher::new();
            std::hash::Hash::hash(&content, &mut hasher);
            let count: i64 = row.get("n");
            fingerprint.tables.insert(
                row.get("name"),
                (
                    usize::try_from(count).unwrap_or_default(),
                    std::hash::Hasher::finish(&hasher),
                ),
            );
        }
        fingerprint
    }
}

/// Each table's row count and a hash of its rows (see [`TestApp::fingerprint`]).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    pub tables: std::collections::BTreeMap<String, (usize, u64)>,
}

impl Fingerprint {
    /// The tables whose rows differ between `self` and `other`.
    pub fn changed(&self, other: &Fingerprint) -> Vec<String> {
        let mut names: Vec<&String> = self.tables.keys().chain(other.tables.keys()).collect();
        names.sort_unstable();
        names.dedup();
        names
            .into_iter()
            .filter(|name| self.tables.get(*name) != other.tables.get(*name))
            .cloned()
            .collect()
    }
}

impl TestApp {
    /// The server's evidence store (the same folder and database).
    pub fn evidence(&self) -> dongbo_store::EvidenceStore {
        dongbo_store::EvidenceStore::new(&self.files, dongbo_store::EvidenceLimits::default())
    }
}

impl TestApp {
    /// A report of `assignment_id` for `period` at `progress`% with `results`, submitted
    /// through the store as `author` (a fixture, not the form under test): its id and version.
    pub async fn submitted(
        &self,
        assignment_id: i64,
        period: dongbo_store::reports::ReportPeriod,
        progress: u8,
        results: &str,
        author: &str,
    ) -> (i64, i64) {
        use dongbo_store::reports::{self, Edit, ReportContent};
        let content = ReportContent {
            library_items: Vec::new(),
            results: results.to_owned(),
            progress,
            ..ReportContent::default()
        };
        let sent = reports::submit(
            &self.db,
            &Edit {
                assignment_id,
                period,
                content: &content,
                author,
                based_on: None,
                idempotency_key: None,
            },
        )
        .await
        .unwrap();
        (sent.report_id, sent.version)
    }

    /// The grants of `username` (an existing account), as a set.
    pub async fn grants_of(
        &self,
        username: &str,
    ) -> std::collections::BTreeSet<dongbo_domain::access::Grant> {
        use dongbo_store::accounts;
        let user = accounts::get_user(&self.db, username)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("{username} has an account"));
        accounts::grants_of(&self.db, user.id)
            .await
            .unwrap()
            .into_iter()
            .collect()
    }

    /// The audit log's actions about user `username`, oldest first, each with what it wrote.
    pub async fn user_audit(&self, username: &str) -> Vec<(String, Option<String>)> {
        use dongbo_store::audit::{self, AuditFilter};
        let filter = AuditFilter {
            entity: Some("user".into()),
            entity_id: Some(username.into()),
            ..AuditFilter::default()
        };
        let mut entries = audit::list(&self.db, &filter, 100, 0).await.unwrap();
        entries.reverse();
        entries
            .into_iter()
            .map(|entry| (entry.action, entry.after_json))
            .collect()
    }

    /// The id of `agency`'s lead assignment on task `task` of program `program`.
    pub async fn lead_of(&self, program: i64, task: &str, agency: &str) -> i64 {
        dongbo_store::assignments::for_task(&self.db, program, task)
            .await
            .unwrap()
            .into_iter()
            .find(|a| a.agency_code == agency && a.role == dongbo_domain::Role::Lead)
            .unwrap_or_else(|| panic!("{agency} leads {task}"))
            .id
    }
}

impl TestApp {
    /// The library of this server's database and files, and `username` (an existing user) as
    /// an administrator of the Government: for a test to write items as a setup step.
    pub async fn library_as_admin(
        &self,
        username: &str,
    ) -> (dongbo_store::accounts::Caller, dongbo_library::Library) {
        let admin = dongbo_store::accounts::Caller {
            user: dongbo_store::accounts::get_user(&self.db, username)
                .await
                .unwrap()
                .expect("the administrator"),
            grants: vec![dongbo_domain::access::Grant::new(
                dongbo_domain::access::Role::Admin,
                "CP",
            )],
        };
        let library = dongbo_library::Library::new(
            self.db.clone(),
            Directory::bundled(),
            self.files.clone(),
            dongbo_domain::Clock::system(),
        );
        (admin, library)
    }
}
