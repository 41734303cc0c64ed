//! Bad requests on every backend: each route of the OpenAPI document the server serves (so a
//! new route is covered as soon as it is documented) is sent malformed variants — bad path
//! parameters, bad query parameters, garbage, empty and wrongly typed bodies, the wrong media
//! type, no credentials — and must answer 4xx problem details, never 5xx; oversized requests
//! are refused early (413 problem details on the API, an HTML page in the site's layout on
//! pages); request ids are echoed; `/readyz` says whether the database is ready.

mod common;

use std::time::Duration;

use common::{TestApp, apps};
use dongbo_store::accounts;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// An API token of an administrator of everything.
async fn admin_token(app: &TestApp) -> String {
    app.user("hard.admin", "admin", "CP", false).await;
    accounts::create_api_token(
        &app.db,
        "test",
        "hard.admin",
        "test",
        dongbo_domain::clock::now(),
    )
    .await
    .expect("an API token")
    .token
}

/// One request of the walk, described for the failure message.
struct Probe {
    what: String,
    method: Method,
    path: String,
    token: bool,
    content_type: Option<&'static str>,
    body: Option<Vec<u8>>,
}

impl Probe {
    fn new(what: impl Into<String>, method: &Method, path: String) -> Probe {
        Probe {
            what: what.into(),
            method: method.clone(),
            path,
            token: true,
            content_type: None,
            body: None,
        }
    }

    fn body(mut self, content_type: &'static str, body: impl Into<Vec<u8>>) -> Probe {
        self.content_type = Some(content_type);
        self.body = Some(body.into());
        self
    }

    async fn send(&self, app: &TestApp, token: &str) -> reqwest::Response {
        let mut request = app
            .client
            .request(self.method.clone(), format!("{}{}", app.base, self.path));
        if self.token {
            request = request.bearer_auth(token);
        }
        if let Some(content_type) = self.content_type {
            request = request.header(reqwest::header::CONTENT_TYPE, content_type);
        }
        if let Some(body) = &self.body {
            request = request.body(body.clone());
        }
        request.send().await.expect("request")
    }
}

/// Asserts `response` is a 4xx with problem details naming the status, a title, a detail
/// and the request id; returns the problem.
async fn assert_problem(response: reqwest::Response, context: &str) -> Value {
    let status = response.status();
    assert!(status.is_client_error(), "{context}: {status}");
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let echoed = response
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    assert_eq!(
        content_type, "application/problem+json",
        "{context}: {status}"
    );
    let body: Value = response.json().await.expect("a JSON problem");
    assert_eq!(body["status"], status.as_u16(), "{context}: {body}");
    for field in ["type", "title", "detail"] {
        let text = body[field].as_str().unwrap_or("");
        assert!(!text.is_empty(), "{context}: no {field} in {body}");
    }
    assert!(echoed.is_some(), "{context}: no x-request-id");
    assert_eq!(body["request_id"].as_str(), echoed.as_deref(), "{context}");
    body
}

/// The operation's parameters of kind `place` (`path`, `query`): name, type, required.
fn params(operation: &Value, place: &str) -> Vec<(String, String, bool)> {
    operation["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["in"] == place)
        .map(|p| {
            (
                p["name"].as_str().unwrap_or_default().to_owned(),
                p["schema"]["type"]
                    .as_str()
                    .or_else(|| p["schema"]["type"][0].as_str())
                    .unwrap_or("string")
                    .to_owned(),
                p["required"].as_bool().unwrap_or(false),
            )
        })
        .collect()
}

/// `template` with every path parameter filled: `bad` for `which` (when given), and a value
/// of the right type naming nothing that exists for the others.
fn fill(
    template: &str,
    path_params: &[(String, String, bool)],
    which: Option<(&str, &str)>,
) -> String {
    let mut path = template.to_owned();
    for (name, kind, _) in path_params {
        let value = match which {
            Some((bad_name, bad)) if bad_name == name => bad.to_owned(),
            _ if kind == "integer" => "987654321".to_owned(),
            _ => "KHONG-CO".to_owned(),
        };
        path = path.replace(&format!("{{{name}}}"), &value);
    }
    path
}

/// The schema of the operation's JSON request body, `$ref` resolved.
fn json_body_schema<'a>(document: &'a Value, operation: &'a Value) -> Option<&'a Value> {
    let schema = &operation["requestBody"]["content"]["application/json"]["schema"];
    if schema.is_null() {
        return None;
    }
    Some(resolve(document, schema))
}

fn resolve<'a>(document: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => {
            let name = reference.rsplit('/').next().unwrap_or_default();
            &document["components"]["schemas"][name]
        }
        None => schema,
    }
}

/// An object with every property of `schema` given a value of another type.
fn wrongly_typed(schema: &Value) -> Option<Value> {
    let properties = schema["properties"].as_object()?;
    if properties.is_empty() {
        return None;
    }
    let mut body = serde_json::Map::new();
    for (name, property) in properties {
        let kind = property["type"]
            .as_str()
            .or_else(|| property["type"][0].as_str());
        let wrong = match kind {
            Some("boolean") => json!("không phải boolean"),
            _ => json!(true),
        };
        body.insert(name.clone(), wrong);
    }
    Some(Value::Object(body))
}

/// Every malformed variant of one operation.
fn probes(document: &Value, template: &str, method: &Method, operation: &Value) -> Vec<Probe> {
    let path_params = params(operation, "path");
    let query_params = params(operation, "query");
    let valid_path = fill(template, &path_params, None);
    let mut probes = Vec::new();
    for (name, kind, _) in &path_params {
        let mut bad = vec!["%FF%FE", "a%00b"];
        if kind == "integer" {
            bad.extend(["abc", "99999999999999999999999", "1.5", "-"]);
        }
        for value in bad {
            let path = fill(template, &path_params, Some((name, value)));
            probes.push(Probe::new(format!("path {name}={value}"), method, path));
        }
    }
    for (name, kind, required) in &query_params {
        if matches!(kind.as_str(), "integer" | "number" | "boolean") {
            let path = format!("{valid_path}?{name}=abc");
            probes.push(Probe::new(format!("query {name}=abc"), method, path));
        }
        if *required {
            probes.push(Probe::new(
                format!("query {name} missing"),
                method,
                valid_path.clone(),
            ));
        }
    }
    let takes_json = json_body_schema(document, operation).is_some();
    let takes_body = !operation["requestBody"].is_null();
    if takes_body {
        probes.push(
            Probe::new("garbage body", method, valid_path.clone())
                .body("application/json", b"{\"nicht json\x00\xff".to_vec()),
        );
        probes.push(
            Probe::new("empty body", method, valid_path.clone())
                .body("application/json", Vec::new()),
        );
    }
    if takes_json {
        probes.push(
            Probe::new("wrong content type", method, valid_path.clone())
                .body("text/plain", b"{}".to_vec()),
        );
        for (what, body) in [
            ("array body", "[1,2]"),
            ("number body", "42"),
            ("null body", "null"),
        ] {
            probes
                .push(Probe::new(what, method, valid_path.clone()).body("application/json", body));
        }
        if let Some(body) = json_body_schema(document, operation).and_then(wrongly_typed) {
            probes.push(
                Probe::new(format!("wrong types {body}"), method, valid_path.clone())
                    .body("application/json", body.to_string()),
            );
        }
    }
    if !operation["security"].is_null() {
        let mut probe = Probe::new("no credentials", method, valid_path.clone());
        probe.token = false;
        if takes_json {
            probe = probe.body("application/json", b"{}".to_vec());
        }
        probes.push(probe);
    }
    probes
}

#[tokio::test]
async fn every_documented_route_answers_malformed_requests_with_4xx_problem_details() {
    for app in apps().await {
        let token = admin_token(&app).await;
        let document = app.json("/api/v1/openapi.json").await;
        let paths = document["paths"].as_object().expect("paths");
        assert!(paths.len() >= 30, "{} documented paths", paths.len());
        let mut sent = 0;
        for (template, item) in paths {
            for (method_name, operation) in item.as_object().expect("a path item") {
                let Ok(method) = method_name.to_uppercase().parse::<Method>() else {
                    continue;
                };
                if operation["responses"].is_null() {
                    continue;
                }
                for probe in probes(&document, template, &method, operation) {
                    let context = format!(
                        "{} {} ({}) on {}",
                        probe.method, probe.path, probe.what, app.backend
                    );
                    let response = probe.send(&app, &token).await;
                    assert_problem(response, &context).await;
                    sent += 1;
                }
            }
        }
        assert!(sent >= 150, "only {sent} malformed requests sent");
    }
}

#[tokio::test]
async fn unknown_api_routes_and_methods_are_problem_details_and_pages_get_a_page() {
    for app in apps().await {
        let response = app.get("/api/v1/khong-co/1").await;
        let problem = assert_problem(response, "unknown route").await;
        assert_eq!(problem["status"], 404);
        let response = app
            .client
            .delete(format!("{}/api/v1/programs", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert!(response.headers().contains_key("allow"));
        assert_problem(response, "wrong method").await;
        // A page with a bad id: the site's error page, in Vietnamese, not plain text.
        let response = app.get("/programs/abc").await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let html = response.text().await.unwrap();
        assert!(
            html.contains("lang=\"vi\"") && html.contains("class=\"site\""),
            "{html}"
        );
        let response = app.get("/khong-co").await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert!(response.text().await.unwrap().contains("Không tìm thấy"));
    }
}

#[tokio::test]
async fn an_oversized_body_is_refused_with_413_problem_details_on_the_api() {
    for app in apps().await {
        let token = admin_token(&app).await;
        let big = vec![b' '; 3 << 20];
        let path = format!("/api/v1/programs/{}/changes", app.program_id);
        let response = app
            .client
            .post(format!("{}{path}", app.base))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(big.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::PAYLOAD_TOO_LARGE,
            "{}",
            app.backend
        );
        let problem = assert_problem(response, "3 MiB JSON").await;
        assert!(
            problem["detail"].as_str().unwrap().contains("2 MiB"),
            "{problem}"
        );
        // Without a Content-Length (chunked), the body is cut off while it is read.
        let (status, body) = chunked_post(&app, &path, &token, 3 << 20).await;
        assert_eq!(status, 413, "chunked on {}: {body}", app.backend);
        assert!(body.contains("problem") || body.contains("2 MiB"), "{body}");
        // Uploads keep their larger limit: 3 MiB is not refused for its size.
        let response = app
            .client
            .post(format!(
                "{}/api/v1/assignments/987654321/files?name=a.pdf",
                app.base
            ))
            .bearer_auth(&token)
            .header("content-type", "application/pdf")
            .body(big)
            .send()
            .await
            .unwrap();
        assert_ne!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_problem(response, "3 MiB upload").await;
    }
}

/// Posts `size` bytes of JSON whitespace chunked (no Content-Length) over a raw connection;
/// returns the status and the body read back.
async fn chunked_post(app: &TestApp, path: &str, token: &str, size: usize) -> (u16, String) {
    let address = app.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let chunk = vec![b' '; 64 << 10];
    let mut written = 0;
    while written < size {
        let frame = [format!("{:x}\r\n", chunk.len()).as_bytes(), &chunk, b"\r\n"].concat();
        // The server may answer and close before the whole body is sent.
        if stream.write_all(&frame).await.is_err() {
            break;
        }
        written += chunk.len();
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer)).await;
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}

#[tokio::test]
async fn an_oversized_form_gets_an_error_page_in_vietnamese() {
    let app = TestApp::start(dongbo_testkit::TestDb::sqlite().await).await;
    let form = format!("username=a&password={}", "x".repeat(3 << 20));
    let response = app
        .client
        .post(format!("{}/login", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = response.text().await.unwrap();
    assert!(html.contains("Yêu cầu quá lớn (tối đa 2 MiB)"), "{html}");
    assert!(
        html.contains("lang=\"vi\"") && html.contains("class=\"site\""),
        "{html}"
    );
}

#[tokio::test]
async fn too_long_addresses_and_too_many_headers_get_4xx_not_a_hang() {
    let app = TestApp::start(dongbo_testkit::TestDb::sqlite().await).await;
    let long = format!("/api/v1/search?q={}", "a".repeat(10 << 10));
    let response = app.get(&long).await;
    assert_eq!(response.status(), StatusCode::URI_TOO_LONG);
    assert_problem(response, "10 KiB URI").await;
    // Far longer ones and a flood of headers are refused by the HTTP layer itself.
    let huge = format!("/search?q={}", "a".repeat(1 << 20));
    let answer = tokio::time::timeout(
        Duration::from_secs(10),
        app.client.get(format!("{}{huge}", app.base)).send(),
    )
    .await
    .expect("an answer, not a hang");
    if let Ok(response) = answer {
        assert!(response.status().is_client_error(), "{}", response.status());
    }
    let mut request = app.client.get(format!("{}/healthz", app.base));
    for n in 0..200 {
        request = request.header(format!("x-extra-{n}"), "1");
    }
    let answer = tokio::time::timeout(Duration::from_secs(10), request.send())
        .await
        .expect("an answer, not a hang");
    if let Ok(response) = answer {
        assert!(response.status().is_client_error(), "{}", response.status());
    }
}

#[tokio::test]
async fn request_ids_are_echoed_and_a_strange_one_is_replaced() {
    let app = TestApp::start(dongbo_testkit::TestDb::sqlite().await).await;
    let response = app
        .client
        .get(format!("{}/api/v1/programs/987654321", app.base))
        .header("x-request-id", "support-ticket-42")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "support-ticket-42");
    let problem = assert_problem(response, "missing program").await;
    assert_eq!(problem["request_id"], "support-ticket-42");
    let response = app
        .client
        .get(format!("{}/healthz", app.base))
        .header("x-request-id", "<script>alert(1)</script>")
        .send()
        .await
        .unwrap();
    let id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(!id.contains('<') && !id.is_empty(), "{id}");
    let other = app.get("/healthz").await.headers()["x-request-id"].clone();
    assert_ne!(other.to_str().unwrap(), id, "each request has its own id");
}

#[tokio::test]
async fn readyz_is_ready_with_the_schema_applied_and_says_which_migration_is_missing() {
    for app in apps().await {
        let response = app.get("/readyz").await;
        assert_eq!(response.status(), 200, "{}", app.backend);
        assert_eq!(response.text().await.unwrap(), "ready");
        let last: i64 = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
            .fetch_one(app.db.pool())
            .await
            .unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM _sqlx_migrations WHERE version = {last}"
        )))
        .execute(app.db.pool())
        .await
        .unwrap();
        let response = app.get("/readyz").await;
        assert_eq!(response.status(), 503, "{}", app.backend);
        let text = response.text().await.unwrap();
        assert_eq!(text, format!("not ready: migrations not applied: {last}"));
        // Liveness does not read the database.
        assert_eq!(app.get("/healthz").await.status(), 200);
    }
}

mod fuzz {
    //! Arbitrary bytes and arbitrary JSON to the main write endpoints: never a 5xx, and every
    //! refusal is problem details.

    use super::*;
    use proptest::prelude::*;

    /// Any JSON value, a few levels deep.
    fn any_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
            ".{0,20}".prop_map(Value::from),
            Just(Value::from("nul \u{0} inside")),
        ];
        leaf.prop_recursive(3, 24, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
                prop::collection::btree_map(
                    prop_oneof![
                        Just("progress".to_owned()),
                        Just("status_text".to_owned()),
                        Just("title".to_owned()),
                        Just("reason".to_owned()),
                        Just("documents".to_owned()),
                        Just("period".to_owned()),
                        "[a-z_]{1,10}",
                    ],
                    inner,
                    0..6
                )
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    fn any_body() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            prop::collection::vec(any::<u8>(), 0..256),
            any_json().prop_map(|v| v.to_string().into_bytes()),
        ]
    }

    #[test]
    fn arbitrary_bodies_to_the_write_endpoints_never_get_a_5xx() {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let backends = runtime.block_on(dongbo_testkit::all_backends());
        for test_db in backends {
            let (app, token, paths) = runtime.block_on(async {
                let app = TestApp::start(test_db).await;
                let token = admin_token(&app).await;
                let assignment = app.lead_of(app.program_id, "3.21", "BVHTTDL").await;
                let program = app.program_id;
                let paths = vec![
                    format!("/api/v1/assignments/{assignment}/reports/draft"),
                    format!("/api/v1/assignments/{assignment}/reports/submit"),
                    format!("/api/v1/programs/{program}/changes"),
                    "/api/v1/agencies/BVHTTDL/plans".to_owned(),
                    "/api/v1/reports/987654321/return".to_owned(),
                ];
                (app, token, paths)
            });
            let config = ProptestConfig {
                cases: 48,
                failure_persistence: None,
                ..ProptestConfig::default()
            };
            proptest!(config, |(which in 0..paths.len(), body in any_body())| {
                let (status, problem) = runtime.block_on(async {
                    let response = app
                        .client
                        .post(format!("{}{}", app.base, paths[which]))
                        .bearer_auth(&token)
                        .header("content-type", "application/json")
                        .body(body.clone())
                        .send()
                        .await
                        .unwrap();
                    let status = response.status();
                    let is_problem = response.headers().get("content-type")
                        .is_some_and(|v| v == "application/problem+json");
                    (status, is_problem)
                });
                prop_assert!(!status.is_server_error(), "{} on {} {:?}: {}", paths[which], app.backend, String::from_utf8_lossy(&body), status);
                prop_assert!(status.is_success() || problem, "{}: {}", paths[which], status);
            });
        }
    }
}
