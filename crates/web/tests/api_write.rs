//! The JSON write API as another system uses it, with an API token, on every backend: the
//! story of a report from submission through a return to acceptance, idempotent retries, the
//! permission matrix of every write endpoint (role × agency inside or outside the user's
//! subtree: each allowed call's change read back from the database, nothing changed when
//! refused; every write of the OpenAPI document has its row), and how bad requests are
//! answered.

mod common;

use common::{TestApp, apps};
use dongbo_domain::{DeadlineRule, Period, PeriodKind, Reporters, ReportingRegime};
use dongbo_store::accounts;
use dongbo_store::changes::{self, ChangeKind, NewChange, Proposal};
use dongbo_store::plans;
use dongbo_store::reports::{self, ReportPeriod};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A user with `role` on `agency` and an API token for it.
async fn token_for(app: &TestApp, username: &str, role: &str, agency: &str) -> String {
    app.user(username, role, agency, false).await;
    accounts::create_api_token(
        &app.db,
        "test",
        username,
        "test",
        dongbo_domain::clock::now(),
    )
    .await
    .expect("an API token")
    .token
}

/// A request to the API with `token` (none: no credentials) and a JSON body.
async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> reqwest::Response {
    let mut request = app.client.request(method, format!("{}{path}", app.base));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(body);
    }
    request.send().await.expect("request")
}

async fn post(app: &TestApp, path: &str, token: &str, body: &Value) -> (StatusCode, Value) {
    let response = call(app, Method::POST, path, Some(token), Some(body)).await;
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn get(app: &TestApp, path: &str, token: &str) -> Value {
    let response = call(app, Method::GET, path, Some(token), None).await;
    assert_eq!(response.status(), 200, "GET {path} on {}", app.backend);
    response.json().await.unwrap()
}

/// The problem details of an error answer, checked to have their shape.
async fn problem(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    assert_eq!(
        response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
        Some("application/problem+json"),
        "{status}"
    );
    let body: Value = response.json().await.expect("a JSON problem");
    assert!(body["type"].as_str().is_some(), "{body}");
    assert!(body["title"].as_str().is_some(), "{body}");
    assert_eq!(body["status"], status.as_u16(), "{body}");
    assert!(body["detail"].as_str().is_some(), "{body}");
    assert!(body["errors"].is_array(), "{body}");
    (status, body)
}

fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect()
}

fn task_line<'a>(dashboard: &'a Value, code: &str) -> &'a Value {
    dashboard["task_lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["task_code"] == code)
        .unwrap()
}

#[tokio::test]
async fn a_report_is_submitted_returned_resubmitted_and_accepted_through_the_api() {
    for app in apps().await {
        let reporter = token_for(&app, "bao.cao", "reporter", "BVHTTDL").await;
        let approver = token_for(&app, "lanh.dao", "approver", "BVHTTDL").await;
        let coordinator = token_for(&app, "dieu.phoi", "coordinator", "CP").await;
        let dashboard_path = format!("/api/v1/programs/{}/dashboard", app.program_id);
        let before = get(&app, &dashboard_path, &coordinator).await;

        // 3.21 (every year) is led by Culture, Sports and Tourism since 2025: it is among the
        // reporter's assignments.
        let assignment = app.lead_of(app.program_id, "3.21", "BVHTTDL").await;
        let mine = get(&app, "/api/v1/my/assignments", &reporter).await;
        let entry = mine
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == assignment)
            .expect("3.21 is among my assignments");
        assert_eq!(entry["task_code"], "3.21");
        assert_eq!(entry["role"], "lead");
        assert_ne!(entry["state"], "done_on_time");

        let body = json!({
            "results": "Đã triển khai thu thập tin tức từ 12 nguồn báo chí nước ngoài",
            "progress": 60,
            "difficulties": "Thiếu nhân lực",
            "recommendations": "Bổ sung biên chế",
            "documents": [{"number": "45/KH-BVHTTDL", "issued_on": "2025-03-02", "title": "Kế hoạch"}],
            "links": [{"url": "https://bvhttdl.gov.vn/tin", "title": "Tin"}],
        });
        let submit = format!("/api/v1/assignments/{assignment}/reports/submit");
        let (status, outcome) = post(&app, &submit, &reporter, &body).await;
        assert_eq!(status, 200, "{outcome} on {}", app.backend);
        assert_eq!(outcome["status"], "submitted");
        let report = outcome["report_id"].as_i64().unwrap();
        let report_path = format!("/api/v1/reports/{report}");

        // A reporter does not review.
        let (status, _) = post(
            &app,
            &format!("{report_path}/accept"),
            &reporter,
            &json!({"seen_version": 1}),
        )
        .await;
        assert_eq!(status, 403);

        // The approver returns it with a comment.
        let (status, returned) = post(
            &app,
            &format!("{report_path}/return"),
            &approver,
            &json!({"seen_version": 1, "comment": "Bổ sung số liệu cụ thể"}),
        )
        .await;
        assert_eq!(status, 200, "{returned}");
        assert_eq!(returned["status"], "returned");
        let seen = get(&app, &report_path, &reporter).await;
        assert_eq!(seen["open_comment"], "Bổ sung số liệu cụ thể");
        assert_eq!(seen["content"]["documents"][0]["number"], "45/KH-BVHTTDL");

        // The reporter's agency is told, in its notices.
        dongbo_remind::Runner::new(app.db.clone(), dongbo_remind::RemindConfig::default())
            .with_done_source(dongbo_remind::AcceptedReports)
            .drain()
            .await
            .unwrap();
        let notices = get(&app, "/api/v1/my/notifications", &reporter).await;
        assert!(
            notices
                .as_array()
                .unwrap()
                .iter()
                .any(|n| n["kind"] == "returned" && n["agency_code"] == "BVHTTDL"),
            "{notices}"
        );

        // The reporter fixes and resubmits on the returned version …
        let mut fixed = body.clone();
        fixed["results"] = json!("Đã thu thập tin tức từ 20 nguồn; 63 tỉnh gửi số liệu");
        fixed["progress"] = json!(100);
        fixed["based_on"] = returned["version"].clone();
        let (status, resubmitted) = post(&app, &submit, &reporter, &fixed).await;
        assert_eq!(status, 200, "{resubmitted}");
        assert_eq!(resubmitted["status"], "submitted");

        // … a stale decision on the old version is a conflict …
        let (status, _) = post(
            &app,
            &format!("{report_path}/accept"),
            &approver,
            &json!({"seen_version": 1}),
        )
        .await;
        assert_eq!(status, 409);

        // … and the approver accepts, with a comment the report keeps.
        let (status, accepted) = post(
            &app,
            &format!("{report_path}/accept"),
            &approver,
            &json!({"seen_version": resubmitted["version"], "comment": "Đạt yêu cầu"}),
        )
        .await;
        assert_eq!(status, 200, "{accepted}");
        assert_eq!(accepted["status"], "accepted");

        let report = get(&app, &report_path, &approver).await;
        let actions: Vec<&str> = report["versions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["action"].as_str().unwrap())
            .collect();
        assert_eq!(actions, ["submit", "return", "submit", "accept"]);
        assert_eq!(report["versions"][3]["comment"], "Đạt yêu cầu");
        assert_eq!(report["summary"]["status"], "accepted");
        assert_eq!(report["content"]["progress"], 100);
        let listed = get(
            &app,
            &format!("/api/v1/assignments/{assignment}/reports"),
            &reporter,
        )
        .await;
        assert_eq!(listed.as_array().unwrap().len(), 1);

        // Accepted data is locked: a new submission is refused for the report's state.
        let mut again = fixed.clone();
        again["based_on"] = accepted["version"].clone();
        let (status, _) = post(&app, &submit, &reporter, &again).await;
        assert_eq!(status, 409);

        // The dashboard and my assignments show 3.21 done, at once.
        let after = get(&app, &dashboard_path, &coordinator).await;
        assert_eq!(task_line(&after, "3.21")["state"], "done_on_time");
        assert_eq!(task_line(&after, "3.21")["progress"], 100);
        assert_ne!(task_line(&before, "3.21")["state"], "done_on_time");
        assert_eq!(
            after["tasks"]["done_on_time"].as_u64().unwrap(),
            before["tasks"]["done_on_time"].as_u64().unwrap() + 1,
            "on {}",
            app.backend
        );
        let mine = get(&app, "/api/v1/my/assignments", &reporter).await;
        let entry = mine
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == assignment)
            .unwrap();
        assert_eq!(entry["state"], "done_on_time");
        assert_eq!(entry["progress"], 100);
    }
}

#[tokio::test]
async fn a_retried_submission_with_the_same_idempotency_key_creates_nothing_new() {
    for app in apps().await {
        let reporter = token_for(&app, "bao.cao", "reporter", "BVHTTDL").await;
        let assignment = app.lead_of(app.program_id, "2.1", "BVHTTDL").await;
        let path = format!("/api/v1/assignments/{assignment}/reports/submit");
        let body = json!({"period": "once", "results": "Đã tổng kết", "progress": 80});
        let send = |body: Value| {
            let app = &app;
            let reporter = reporter.clone();
            let path = path.clone();
            async move {
                let response = app
                    .client
                    .post(format!("{}{path}", app.base))
                    .bearer_auth(reporter)
                    .header("Idempotency-Key", "lan-1-2025-11-20")
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                let status = response.status();
                (status, response.json::<Value>().await.unwrap())
            }
        };
        let (status, first) = send(body.clone()).await;
        assert_eq!(status, 200, "{first} on {}", app.backend);
        assert_eq!(first["replayed"], false);
        let (status, retried) = send(body.clone()).await;
        assert_eq!(status, 200, "{retried}");
        assert_eq!(retried["replayed"], true);
        assert_eq!(retried["report_id"], first["report_id"]);
        assert_eq!(retried["version"], first["version"]);
        let report = get(
            &app,
            &format!("/api/v1/reports/{}", first["report_id"]),
            &reporter,
        )
        .await;
        assert_eq!(report["versions"].as_array().unwrap().len(), 1);
        assert_eq!(
            reports::for_assignment(&app.db, assignment)
                .await
                .unwrap()
                .len(),
            1
        );

        // The same key for another request is refused, and writes nothing.
        let mut other = body.clone();
        other["progress"] = json!(90);
        let (status, refused) = send(other).await;
        assert_eq!(status, 422, "{refused}");
        let report = get(
            &app,
            &format!("/api/v1/reports/{}", first["report_id"]),
            &reporter,
        )
        .await;
        assert_eq!(report["versions"].as_array().unwrap().len(), 1);
    }
}

/// Whose subtree an endpoint's agency is in: the reporting agency's (BVHTTDL) or the
/// program's coordinator's (CP for 47/NQ-CP).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    Agency,
    Coordinator,
}

const ROLES: [&str; 6] = [
    "viewer",
    "reporter",
    "approver",
    "coordinator",
    "librarian",
    "admin",
];
const PLANNERS: &[&str] = &["reporter", "approver", "admin"];
/// Who keeps an agency's library items.
const LIBRARIANS: &[&str] = &["librarian", "admin"];
const REVIEWERS: &[&str] = &["approver", "coordinator", "admin"];
const COORDINATORS: &[&str] = &["coordinator", "admin"];
/// Who records an indicator's values: those who write or review the tracking agency's reports.
const RECORDERS: &[&str] = &["reporter", "approver", "coordinator", "admin"];
/// Who issues a synthesis report in an agency's name.
const PUBLISHERS: &[&str] = &["approver", "coordinator", "admin"];

/// What a caller outside the subtree is answered. A route that names a record of the agency
/// (its reports, assignments, plans) answers as for an unknown id, so that ids tell nothing of
/// other agencies' records; the others say the caller may not.
const NOT_FOUND: u16 = 404;
const FORBIDDEN: u16 = 403;

/// One write of the API: the operation as the OpenAPI document names it, whose subtree it
/// concerns, the roles that may use it there (the matrix of `dongbo_domain::access`), and what
/// a caller outside the subtree gets. Inside, a role not listed gets 403.
struct Write {
    method: &'static str,
    path: &'static str,
    scope: Scope,
    allowed: &'static [&'static str],
    outside: u16,
}

const fn write(
    method: &'static str,
    path: &'static str,
    scope: Scope,
    allowed: &'static [&'static str],
    outside: u16,
) -> Write {
    Write {
        method,
        path,
        scope,
        allowed,
        outside,
    }
}

/// Who manages users: the administrators over the user's agency.
const ADMINS: &[&str] = &["admin"];
/// What an administrator outside the user's agency gets for a user it may not manage: not
/// found, as an unknown username (those who administer no one get 403, see
/// [`outside_expected`]).
const ADMIN_NOT_FOUND: u16 = 404;
/// A role given outside what the caller administers, on creating a user: the field's error.
const NOT_YOURS_TO_GIVE: u16 = 422;

/// What a caller outside the subtree gets from `row`: the row's answer, except on the
/// administrators' user routes, where anyone who administers no one is forbidden outright.
fn outside_expected(row: &Write, role: &str) -> u16 {
    if row.path.starts_with("/api/v1/admin/") && !row.allowed.contains(&role) {
        FORBIDDEN
    } else {
        row.outside
    }
}

/// Every write of the API, in the order the matrix runs them (a plan is created before its
/// tasks are added). `every_documented_write_has_a_row_of_the_matrix` keeps it complete.
const WRITES: &[Write] = &[
    // The users of BVHTTDL, managed by its administrators (and the Government's).
    write(
        "post",
        "/api/v1/admin/users",
        Scope::Agency,
        ADMINS,
        NOT_YOURS_TO_GIVE,
    ),
    write(
        "put",
        "/api/v1/admin/users/{username}/disabled",
        Scope::Agency,
        ADMINS,
        ADMIN_NOT_FOUND,
    ),
    write(
        "post",
        "/api/v1/admin/users/{username}/password",
        Scope::Agency,
        ADMINS,
        ADMIN_NOT_FOUND,
    ),
    write(
        "post",
        "/api/v1/admin/users/{username}/grants",
        Scope::Agency,
        ADMINS,
        ADMIN_NOT_FOUND,
    ),
    write(
        "delete",
        "/api/v1/admin/users/{username}/grants",
        Scope::Agency,
        ADMINS,
        ADMIN_NOT_FOUND,
    ),
    write(
        "delete",
        "/api/v1/admin/users/{username}/sessions",
        Scope::Agency,
        ADMINS,
        ADMIN_NOT_FOUND,
    ),
    write(
        "delete",
        "/api/v1/admin/users/{username}/sessions/{id}",
        Scope::Agency,
        ADMINS,
        ADMIN_NOT_FOUND,
    ),
    write(
        "delete",
        "/api/v1/admin/users/{username}/tokens/{id}",
        Scope::Agency,
        ADMINS,
        ADMIN_NOT_FOUND,
    ),
    write(
        "delete",
        "/api/v1/admin/users/{username}/locks",
        Scope::Agency,
        ADMINS,
        ADMIN_NOT_FOUND,
    ),
    // A library item of BVHTTDL, pushed by its system: outside the subtree (a BNG caller) the
    // item's owner is another agency's, readable but not theirs to write.
    write(
        "post",
        "/api/v1/library/items",
        Scope::Agency,
        LIBRARIANS,
        FORBIDDEN,
    ),
    write(
        "put",
        "/api/v1/library/items/{system}/{external_id}",
        Scope::Agency,
        LIBRARIANS,
        FORBIDDEN,
    ),
    write(
        "delete",
        "/api/v1/library/items/{system}/{external_id}",
        Scope::Agency,
        LIBRARIANS,
        FORBIDDEN,
    ),
    // A pull source of BVHTTDL: registered, enabled again and polled now by who keeps the
    // agency's library; outside the subtree the agency's source is not theirs.
    write(
        "post",
        "/api/v1/library/sources",
        Scope::Agency,
        LIBRARIANS,
        FORBIDDEN,
    ),
    write(
        "post",
        "/api/v1/library/sources/{id}/enable",
        Scope::Agency,
        LIBRARIANS,
        FORBIDDEN,
    ),
    write(
        "post",
        "/api/v1/library/sources/{id}/poll",
        Scope::Agency,
        LIBRARIANS,
        FORBIDDEN,
    ),
    write(
        "put",
        "/api/v1/library/sources/{id}/visibility",
        Scope::Agency,
        LIBRARIANS,
        FORBIDDEN,
    ),
    // A near-duplicate pair of BVHTTDL's items: decided by who may edit both.
    write(
        "post",
        "/api/v1/library/duplicates/{id}/merge",
        Scope::Agency,
        LIBRARIANS,
        FORBIDDEN,
    ),
    write(
        "post",
        "/api/v1/library/duplicates/{id}/dismiss",
        Scope::Agency,
        LIBRARIANS,
        FORBIDDEN,
    ),
    write(
        "post",
        "/api/v1/assignments/{id}/reports/draft",
        Scope::Agency,
        PLANNERS,
        NOT_FOUND,
    ),
    write(
        "post",
        "/api/v1/assignments/{id}/reports/submit",
        Scope::Agency,
        PLANNERS,
        NOT_FOUND,
    ),
    write(
        "post",
        "/api/v1/assignments/{id}/files",
        Scope::Agency,
        PLANNERS,
        NOT_FOUND,
    ),
    write(
        "post",
        "/api/v1/reports/{id}/return",
        Scope::Agency,
        REVIEWERS,
        NOT_FOUND,
    ),
    write(
        "post",
        "/api/v1/reports/{id}/accept",
        Scope::Agency,
        REVIEWERS,
        NOT_FOUND,
    ),
    write(
        "post",
        "/api/v1/reports/{id}/reopen",
        Scope::Agency,
        COORDINATORS,
        NOT_FOUND,
    ),
    write(
        "put",
        "/api/v1/assignments/{id}/progress",
        Scope::Agency,
        REVIEWERS,
        NOT_FOUND,
    ),
    write(
        "post",
        "/api/v1/agencies/{code}/plans",
        Scope::Agency,
        PLANNERS,
        FORBIDDEN,
    ),
    write(
        "post",
        "/api/v1/plans/{id}/tasks",
        Scope::Agency,
        PLANNERS,
        NOT_FOUND,
    ),
    write(
        "post",
        "/api/v1/agencies/{code}/units",
        Scope::Agency,
        PLANNERS,
        FORBIDDEN,
    ),
    write(
        "post",
        "/api/v1/plans/{id}/tasks/{code}/units",
        Scope::Agency,
        PLANNERS,
        NOT_FOUND,
    ),
    write(
        "post",
        "/api/v1/programs/{id}/changes",
        Scope::Agency,
        PLANNERS,
        FORBIDDEN,
    ),
    write(
        "post",
        "/api/v1/programs/{id}/tasks/{code}/changes",
        Scope::Agency,
        PLANNERS,
        FORBIDDEN,
    ),
    write(
        "post",
        "/api/v1/programs/{id}/changes/{request}/withdraw",
        Scope::Agency,
        PLANNERS,
        FORBIDDEN,
    ),
    write(
        "post",
        "/api/v1/programs/{id}/changes/{request}/decision",
        Scope::Coordinator,
        COORDINATORS,
        FORBIDDEN,
    ),
    write(
        "post",
        "/api/v1/programs/{id}/reminders",
        Scope::Coordinator,
        COORDINATORS,
        FORBIDDEN,
    ),
    write(
        "post",
        "/api/v1/programs/{id}/indicators/{code}/values",
        Scope::Agency,
        RECORDERS,
        FORBIDDEN,
    ),
    write(
        "put",
        "/api/v1/programs/{id}/regimes",
        Scope::Coordinator,
        COORDINATORS,
        FORBIDDEN,
    ),
    write(
        "delete",
        "/api/v1/programs/{id}/regimes/{key}",
        Scope::Coordinator,
        COORDINATORS,
        FORBIDDEN,
    ),
    write(
        "post",
        "/api/v1/programs/{id}/synthesis",
        Scope::Agency,
        PUBLISHERS,
        FORBIDDEN,
    ),
];

/// What the database holds, in counts and sums that every write moves.
async fn fingerprint(app: &TestApp) -> Vec<i64> {
    let queries = [
        "SELECT COUNT(*) FROM audit_log",
        "SELECT COUNT(*) FROM programs",
        "SELECT COUNT(*) FROM tasks",
        "SELECT COUNT(*) FROM assignments",
        "SELECT COUNT(*) FROM plans",
        "SELECT COUNT(*) FROM task_links",
        "SELECT COUNT(*) FROM units",
        "SELECT COUNT(*) FROM progress_reports",
        "SELECT COUNT(*) FROM report_versions",
        "SELECT CAST(COALESCE(SUM(current_version), 0) AS BIGINT) FROM progress_reports",
        "SELECT COUNT(*) FROM idempotency_keys",
        "SELECT COUNT(*) FROM change_requests WHERE status = 'pending'",
        "SELECT COUNT(*) FROM change_requests",
        "SELECT COUNT(*) FROM task_history",
        "SELECT COUNT(*) FROM reminders",
        "SELECT COUNT(*) FROM notifications",
        "SELECT COUNT(*) FROM jobs",
        "SELECT COUNT(*) FROM assignment_progress WHERE manual_progress IS NOT NULL",
    ];
    let mut values = Vec::new();
    for sql in queries {
        let value: i64 = sqlx::query_scalar(sql)
            .fetch_one(app.db.pool())
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        values.push(value);
    }
    values
}

/// What the matrix acts on, made directly in the store.
struct Fixtures {
    /// An assignment of BVHTTDL to write reports for, in a new period each time.
    assignment: i64,
    next_period: u32,
}

impl Fixtures {
    /// A reporting period no report of the fixture assignment has used yet.
    fn period(&mut self) -> ReportPeriod {
        self.next_period += 1;
        let (year, month) = (
            2025 + (self.next_period / 12) as i32,
            self.next_period % 12 + 1,
        );
        ReportPeriod::Period(Period::new(PeriodKind::Monthly, year, month).unwrap())
    }

    /// A report of the fixture assignment, submitted (and accepted when `accept`).
    async fn report(&mut self, app: &TestApp, accept: bool) -> (i64, i64) {
        let period = self.period();
        let (report, version) = app
            .submitted(self.assignment, period, 50, "Đã triển khai", "fixture")
            .await;
        if !accept {
            return (report, version);
        }
        let accepted = reports::accept(&app.db, report, version, "fixture", None)
            .await
            .unwrap();
        (accepted.report_id, accepted.version)
    }

    /// BVHTTDL's plan of 47/NQ-CP: made by the matrix's own `create_plan` calls, else here.
    async fn plan(&self, app: &TestApp) -> i64 {
        plans::create(
            &app.db,
            &dongbo_domain::Directory::bundled(),
            app.program_id,
            "BVHTTDL",
        )
        .await
        .unwrap()
        .program_id()
    }

    /// A pending request of BVHTTDL to re-time 3.21, proposed by someone else.
    async fn change_request(&self, app: &TestApp) -> i64 {
        changes::propose(
            &app.db,
            &NewChange {
                program_id: app.program_id,
                task_code: Some("3.21".into()),
                kind: ChangeKind::Retime,
                proposed_by_agency: "BVHTTDL".into(),
                proposed_by: "fixture".into(),
                reason: "Cần thêm thời gian".into(),
                proposal: Proposal {
                    time_frame: Some("2027".into()),
                    ..Proposal::default()
                },
            },
        )
        .await
        .unwrap()
    }
}

/// A request body: JSON, or a file's bytes with their media type.
enum Body {
    Json(Value),
    File(&'static str, Vec<u8>),
}

/// How an allowed call's effect is seen in the database: `count` (a `SELECT COUNT(*)` naming
/// what this very call writes: its caller, its values) goes from `from` (when known) to `to`.
struct Effect {
    count: String,
    from: Option<i64>,
    to: i64,
}

/// A count that this call takes from 0 to 1.
fn one_new(count: String) -> Effect {
    Effect {
        count,
        from: Some(0),
        to: 1,
    }
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(app.db.pool())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// A request ready to send, and how to see that it took effect.
struct Call {
    method: Method,
    path: String,
    body: Body,
    effect: Effect,
}

/// The request of the matrix row `row` sent by `username`, its fixture made.
async fn request_for(
    app: &TestApp,
    fixtures: &mut Fixtures,
    row: &Write,
    username: &str,
    case: usize,
) -> Call {
    let program = app.program_id;
    let assignment = fixtures.assignment;
    let json = |method: Method, path: String, body: Value, effect: Effect| Call {
        method,
        path,
        body: Body::Json(body),
        effect,
    };
    match (row.method, row.path) {
        (
            "post",
            "/api/v1/assignments/{id}/reports/draft" | "/api/v1/assignments/{id}/reports/submit",
        ) => {
            let (action, status) = if row.path.ends_with("draft") {
                ("draft", "draft")
            } else {
                ("submit", "submitted")
            };
            let period = fixtures.period().code();
            json(
                Method::POST,
                format!("/api/v1/assignments/{assignment}/reports/{action}"),
                json!({"period": period, "results": "Kết quả", "progress": 30}),
                one_new(format!(
                    "SELECT COUNT(*) FROM progress_reports WHERE assignment_id = {assignment} \
                     AND period = '{period}' AND status = '{status}'"
                )),
            )
        }
        ("post", "/api/v1/assignments/{id}/files") => Call {
            method: Method::POST,
            path: format!("/api/v1/assignments/{assignment}/files?name=bien-ban-{case}.pdf"),
            // New bytes each time: a file already stored would be stored again as nothing.
            body: Body::File(
                "application/pdf",
                format!("%PDF-1.4\nbien ban {case}").into_bytes(),
            ),
            effect: one_new(format!(
                "SELECT COUNT(*) FROM evidence_uploads WHERE username = '{username}'"
            )),
        },
        ("post", "/api/v1/reports/{id}/return" | "/api/v1/reports/{id}/accept") => {
            let (report, version) = fixtures.report(app, false).await;
            let (action, status, body) = if row.path.ends_with("return") {
                (
                    "return",
                    "returned",
                    json!({"seen_version": version, "comment": "Bổ sung"}),
                )
            } else {
                ("accept", "accepted", json!({"seen_version": version}))
            };
            json(
                Method::POST,
                format!("/api/v1/reports/{report}/{action}"),
                body,
                one_new(format!(
                    "SELECT COUNT(*) FROM progress_reports WHERE id = {report} \
                     AND status = '{status}'"
                )),
            )
        }
        ("post", "/api/v1/reports/{id}/reopen") => {
            let (report, version) = fixtures.report(app, true).await;
            json(
                Method::POST,
                format!("/api/v1/reports/{report}/reopen"),
                json!({"seen_version": version, "reason": "Sai số liệu"}),
                one_new(format!(
                    "SELECT COUNT(*) FROM progress_reports WHERE id = {report} \
                     AND status = 'returned'"
                )),
            )
        }
        ("put", "/api/v1/assignments/{id}/progress") => {
            let progress = case % 90 + 1;
            json(
                Method::PUT,
                format!("/api/v1/assignments/{assignment}/progress"),
                json!({"progress": progress, "reason": "Theo báo cáo giao ban"}),
                one_new(format!(
                    "SELECT COUNT(*) FROM assignment_progress WHERE assignment_id = {assignment} \
                     AND manual_progress = {progress} AND manual_by = '{username}'"
                )),
            )
        }
        ("post", "/api/v1/agencies/{code}/plans") => json(
            Method::POST,
            "/api/v1/agencies/BVHTTDL/plans".to_owned(),
            json!({"program_id": program}),
            // The first allowed call makes it; the next ones find it.
            Effect {
                count: format!(
                    "SELECT COUNT(*) FROM plans WHERE parent_program_id = {program} \
                     AND agency_code = 'BVHTTDL'"
                ),
                from: None,
                to: 1,
            },
        ),
        ("post", "/api/v1/plans/{id}/tasks") => {
            let plan = fixtures.plan(app).await;
            let title = format!("Việc riêng {case}");
            json(
                Method::POST,
                format!("/api/v1/plans/{plan}/tasks"),
                json!({"parent_task_code": "3.21", "title": title, "time_frame": "Quý IV/2026"}),
                one_new(format!(
                    "SELECT COUNT(*) FROM tasks WHERE program_id = {plan} AND title = '{title}'"
                )),
            )
        }
        ("post", "/api/v1/agencies/{code}/units") => json(
            Method::POST,
            "/api/v1/agencies/BVHTTDL/units".to_owned(),
            json!({"code": format!("DV{case}"), "name_vi": format!("Đơn vị {case}")}),
            one_new(format!(
                "SELECT COUNT(*) FROM units WHERE code = 'BVHTTDL/DV{case}'"
            )),
        ),
        ("post", "/api/v1/plans/{id}/tasks/{code}/units") => {
            let plan = fixtures.plan(app).await;
            let unit = plans::create_unit(
                &app.db,
                &dongbo_domain::Directory::bundled(),
                "BVHTTDL",
                &format!("GV{case}"),
                "Vụ",
                "",
            )
            .await
            .unwrap()
            .code;
            json(
                Method::POST,
                format!("/api/v1/plans/{plan}/tasks/3.21/units"),
                json!({"unit_code": unit, "due_on": "2026-06-30"}),
                one_new(format!(
                    "SELECT COUNT(*) FROM assignments WHERE program_id = {plan} \
                     AND agency_code = '{unit}'"
                )),
            )
        }
        ("post", "/api/v1/programs/{id}/changes") => {
            let reason = format!("Yêu cầu mới {case}");
            json(
                Method::POST,
                format!("/api/v1/programs/{program}/changes"),
                json!({"agency": "BVHTTDL", "group": "3", "title": format!("Nhiệm vụ mới {case}"),
                       "time_frame": "2026", "reason": reason}),
                one_new(format!(
                    "SELECT COUNT(*) FROM change_requests WHERE program_id = {program} \
                     AND kind = 'add' AND reason = '{reason}' AND proposed_by = '{username}'"
                )),
            )
        }
        ("post", "/api/v1/programs/{id}/tasks/{code}/changes") => {
            let reason = format!("Cần thêm thời gian {case}");
            json(
                Method::POST,
                format!("/api/v1/programs/{program}/tasks/3.21/changes"),
                json!({"kind": "retime", "agency": "BVHTTDL", "time_frame": "2027", "reason": reason}),
                one_new(format!(
                    "SELECT COUNT(*) FROM change_requests WHERE task_code = '3.21' \
                     AND kind = 'retime' AND reason = '{reason}' AND proposed_by = '{username}'"
                )),
            )
        }
        ("post", "/api/v1/programs/{id}/changes/{request}/withdraw") => {
            let request = fixtures.change_request(app).await;
            json(
                Method::POST,
                format!("/api/v1/programs/{program}/changes/{request}/withdraw"),
                json!({}),
                one_new(format!(
                    "SELECT COUNT(*) FROM change_requests WHERE id = {request} \
                     AND status = 'withdrawn'"
                )),
            )
        }
        ("post", "/api/v1/programs/{id}/changes/{request}/decision") => {
            let request = fixtures.change_request(app).await;
            json(
                Method::POST,
                format!("/api/v1/programs/{program}/changes/{request}/decision"),
                json!({"decision": "reject", "note": "Chưa đủ căn cứ"}),
                one_new(format!(
                    "SELECT COUNT(*) FROM change_requests WHERE id = {request} \
                     AND status = 'rejected' AND decided_by = '{username}'"
                )),
            )
        }
        ("post", "/api/v1/programs/{id}/reminders") => {
            let message = format!("Đề nghị gửi báo cáo (lần {case})");
            json(
                Method::POST,
                format!("/api/v1/programs/{program}/reminders"),
                json!({"agencies": ["BVHTTDL"], "message": message}),
                one_new(format!(
                    "SELECT COUNT(*) FROM reminders WHERE agency_code = 'BVHTTDL' \
                     AND message = '{message}'"
                )),
            )
        }
        ("post", "/api/v1/programs/{id}/indicators/{code}/values") => {
            // Indicator 4 is tracked by Culture, Sports and Tourism.
            let note = format!("Ghi lần {case}");
            json(
                Method::POST,
                format!("/api/v1/programs/{program}/indicators/4/values"),
                json!({"period": "2025", "value": 45, "source": "Bộ VHTTDL", "note": note}),
                one_new(format!(
                    "SELECT COUNT(*) FROM indicator_values WHERE author = '{username}' \
                     AND note = '{note}'"
                )),
            )
        }
        ("put", "/api/v1/programs/{id}/regimes") => {
            let days = case % 60 + 1;
            json(
                Method::PUT,
                format!("/api/v1/programs/{program}/regimes"),
                json!({"kind": "quarterly", "reporters": "leads", "working_days": days}),
                one_new(format!(
                    "SELECT COUNT(*) FROM program_regimes WHERE program_id = {program} \
                     AND regime_key = 'quarterly' AND working_days = {days} \
                     AND updated_by = '{username}'"
                )),
            )
        }
        ("delete", "/api/v1/programs/{id}/regimes/{key}") => {
            dongbo_store::regimes::set(
                &app.db,
                program,
                &ReportingRegime::periodic(
                    PeriodKind::Monthly,
                    Reporters::Every,
                    DeadlineRule::new(1).unwrap(),
                ),
                "fixture",
            )
            .await
            .unwrap();
            Call {
                method: Method::DELETE,
                path: format!("/api/v1/programs/{program}/regimes/monthly"),
                body: Body::Json(json!({})),
                effect: Effect {
                    count: format!(
                        "SELECT COUNT(*) FROM program_regimes WHERE program_id = {program} \
                         AND regime_key = 'monthly'"
                    ),
                    from: Some(1),
                    to: 0,
                },
            }
        }
        ("post", "/api/v1/programs/{id}/synthesis") => json(
            Method::POST,
            format!("/api/v1/programs/{program}/synthesis"),
            json!({"level": "agency", "period": "2026-Y", "issuer": "BVHTTDL",
                   "number": format!("{case}/BC-BVHTTDL"), "authority": "KT",
                   "on_behalf_of": "BỘ TRƯỞNG", "position": "THỨ TRƯỞNG",
                   "signer": "Nguyễn Văn Hùng"}),
            one_new(format!(
                "SELECT COUNT(*) FROM synthesis_versions WHERE created_by = '{username}'"
            )),
        ),
        ("post", "/api/v1/library/items") => json(
            Method::POST,
            "/api/v1/library/items".to_owned(),
            json!({"system": "BVHTTDL", "external_id": format!("ma-tran-{case}"),
                   "item": {"title": format!("Tin ma trận {case}"), "kind": "article",
                            "owner": "BVHTTDL", "visibility": "public",
                            "body": format!("Nội dung của tin ma trận số {case}.")}}),
            one_new(format!(
                "SELECT COUNT(*) FROM library_items WHERE title = 'Tin ma trận {case}'"
            )),
        ),
        ("put", "/api/v1/library/items/{system}/{external_id}") => json(
            Method::PUT,
            format!("/api/v1/library/items/BVHTTDL/dat-{case}"),
            json!({"title": format!("Tin đặt {case}"), "kind": "article", "owner": "BVHTTDL",
                   "visibility": "public", "body": format!("Nội dung của tin đặt số {case}.")}),
            one_new(format!(
                "SELECT COUNT(*) FROM library_items WHERE title = 'Tin đặt {case}'"
            )),
        ),
        ("delete", "/api/v1/library/items/{system}/{external_id}") => {
            // The item to remove, pushed by an administrator first.
            let (admin, library) = app.library_as_admin("admin.cp").await;
            let input = dongbo_library::ItemInput {
                title: format!("Tin xóa {case}"),
                kind: "article".to_owned(),
                owner: Some("BVHTTDL".to_owned()),
                visibility: Some("public".to_owned()),
                body: Some(format!("Nội dung của tin xóa số {case}.")),
                ..Default::default()
            };
            library
                .push(&admin, "BVHTTDL", &format!("xoa-{case}"), &input)
                .await
                .expect("the item to remove");
            Call {
                method: Method::DELETE,
                path: format!("/api/v1/library/items/BVHTTDL/xoa-{case}"),
                body: Body::Json(json!({})),
                effect: Effect {
                    count: format!(
                        "SELECT COUNT(*) FROM library_items WHERE title = 'Tin xóa {case}'"
                    ),
                    from: Some(1),
                    to: 0,
                },
            }
        }
        ("post", "/api/v1/library/sources") => {
            // A public address typed as such: registering resolves nothing and fetches nothing.
            let url = format!("http://93.184.215.14/tin-{case}.rss");
            json(
                Method::POST,
                "/api/v1/library/sources".to_owned(),
                json!({"owner": "BVHTTDL", "kind": "feed", "url": url,
                       "name": format!("Nguồn ma trận {case}")}),
                one_new(format!(
                    "SELECT COUNT(*) FROM library_sources WHERE url = '{url}' \
                     AND created_by = '{username}'"
                )),
            )
        }
        ("post", "/api/v1/library/sources/{id}/enable") => {
            // A source disabled by its failures, to enable again.
            let id = source_fixture(app, case, true).await;
            Call {
                method: Method::POST,
                path: format!("/api/v1/library/sources/{id}/enable"),
                body: Body::Json(json!({})),
                effect: one_new(format!(
                    "SELECT COUNT(*) FROM library_sources WHERE id = {id} \
                     AND disabled_at IS NULL"
                )),
            }
        }
        ("post", "/api/v1/library/sources/{id}/poll") => {
            // A source whose next poll is far away, to poll now.
            let id = source_fixture(app, case, false).await;
            Call {
                method: Method::POST,
                path: format!("/api/v1/library/sources/{id}/poll"),
                body: Body::Json(json!({})),
                effect: one_new(format!(
                    "SELECT COUNT(*) FROM library_sources WHERE id = {id} \
                     AND next_poll_at < '2100-01-01'"
                )),
            }
        }
        ("put", "/api/v1/library/sources/{id}/visibility") => {
            // A public source made the government's.
            let id = source_fixture(app, case, false).await;
            Call {
                method: Method::PUT,
                path: format!("/api/v1/library/sources/{id}/visibility"),
                body: Body::Json(json!({ "visibility": "government" })),
                effect: one_new(format!(
                    "SELECT COUNT(*) FROM library_sources WHERE id = {id} \
                     AND visibility = 'government'"
                )),
            }
        }
        ("post", "/api/v1/library/duplicates/{id}/merge") => {
            let (proposal, keep) = near_pair(app, case, "Hợp nhất").await;
            Call {
                method: Method::POST,
                path: format!("/api/v1/library/duplicates/{proposal}/merge"),
                body: Body::Json(json!({ "keep": keep })),
                effect: Effect {
                    count: format!(
                        "SELECT COUNT(*) FROM library_items WHERE title LIKE 'Hợp nhất {case} %'"
                    ),
                    from: Some(2),
                    to: 1,
                },
            }
        }
        ("post", "/api/v1/library/duplicates/{id}/dismiss") => {
            let (proposal, _) = near_pair(app, case, "Bỏ qua").await;
            Call {
                method: Method::POST,
                path: format!("/api/v1/library/duplicates/{proposal}/dismiss"),
                body: Body::Json(json!({})),
                effect: Effect {
                    count: format!(
                        "SELECT COUNT(*) FROM library_duplicate_proposals WHERE id = {proposal} \
                         AND state = 'proposed'"
                    ),
                    from: Some(1),
                    to: 0,
                },
            }
        }
        (method, path) if path.starts_with("/api/v1/admin/") => {
            user_call(app, method, path, case).await
        }
        (method, path) => panic!("the matrix has no request for {method} {path}"),
    }
}

/// A source of BVHTTDL whose next poll is in 2100, disabled by its failures when `disabled`.
async fn source_fixture(app: &TestApp, case: usize, disabled: bool) -> i64 {
    use dongbo_store::library::sources;
    let at = dongbo_domain::clock::now();
    let id = sources::create(
        &app.db,
        &sources::NewSource {
            owner: "BVHTTDL".to_owned(),
            kind: sources::SourceKind::Feed,
            url: format!("http://93.184.215.14/co-dinh-{case}-{disabled}.rss"),
            name: format!("Nguồn cố định {case}"),
            poll_minutes: 60,
            visibility: dongbo_domain::library::Visibility::Public,
        },
        "fixture",
        at,
    )
    .await
    .expect("the fixture source");
    let later = chrono::DateTime::parse_from_rfc3339("2100-06-01T00:00:00Z")
        .unwrap()
        .to_utc();
    let record = sources::PollRecord {
        status: Some(500),
        error: Some("HTTP 500".to_owned()),
        failures: 10,
        next_poll_at: Some(later),
        disabled_reason: disabled.then(|| "10 lần thất bại".to_owned()),
        ..Default::default()
    };
    sources::record_poll(&app.db, id, &record, "fixture", at)
        .await
        .expect("the fixture's failures");
    id
}

/// Two near-duplicate items of BVHTTDL (titles "`prefix` `case` …"), pushed by an
/// administrator: the proposal of the pair and its first item.
async fn near_pair(app: &TestApp, case: usize, prefix: &str) -> (i64, i64) {
    let (admin, library) = app.library_as_admin("admin.cp").await;
    let text = format!(
        "{prefix} {case}: Bộ Văn hóa, Thể thao và Du lịch tổ chức tuần lễ văn hóa số {case} với \
         triển lãm ảnh, biểu diễn nghệ thuật truyền thống, hội thảo về bảo tồn di sản và giới \
         thiệu ẩm thực các vùng miền tới bạn bè quốc tế tại thủ đô."
    );
    let mut ids = Vec::new();
    for (n, body) in [text.clone(), format!("{text} Thêm một câu cuối.")]
        .into_iter()
        .enumerate()
    {
        let input = dongbo_library::ItemInput {
            title: format!("{prefix} {case} bản {n}"),
            kind: "article".to_owned(),
            owner: Some("BVHTTDL".to_owned()),
            visibility: Some("public".to_owned()),
            body: Some(body),
            ..Default::default()
        };
        let written = library
            .push(&admin, "BVHTTDL", &format!("{prefix}-{case}-{n}"), &input)
            .await
            .expect("a near-duplicate");
        ids.push(written.id);
    }
    let proposal = dongbo_store::library::duplicates::of_pair(&app.db, ids[0], ids[1])
        .await
        .unwrap()
        .expect("the pair is proposed");
    (proposal.id, ids[0])
}

/// The call of a user route on a fresh reporter of BVHTTDL, `staff{case}`, its fixture made
/// (a session, a token, a lock).
async fn user_call(app: &TestApp, method: &str, path: &str, case: usize) -> Call {
    let username = format!("staff{case}");
    app.user(&username, "reporter", "BVHTTDL", false).await;
    let user = accounts::get_user(&app.db, &username)
        .await
        .unwrap()
        .unwrap();
    let id = user.id;
    let base = format!("/api/v1/admin/users/{username}");
    let change = |from: i64, to: i64, count: String| Effect {
        count,
        from: Some(from),
        to,
    };
    let call = |method: Method, path: String, body: Value, effect: Effect| Call {
        method,
        path,
        body: Body::Json(body),
        effect,
    };
    let session = || async {
        accounts::create_session(
            &app.db,
            id,
            &accounts::SessionPolicy::default(),
            dongbo_domain::clock::now(),
        )
        .await
        .expect("a session");
    };
    match (method, path) {
        ("post", "/api/v1/admin/users") => call(
            Method::POST,
            "/api/v1/admin/users".to_owned(),
            json!({"username": format!("new{case}"), "display_name": "Trần Văn Mới",
                "email": format!("new{case}@bvhttdl.gov.vn"), "role": "reporter",
                "agency": "BVHTTDL"}),
            one_new(format!(
                "SELECT COUNT(*) FROM users WHERE username = 'new{case}'"
            )),
        ),
        ("put", "/api/v1/admin/users/{username}/disabled") => call(
            Method::PUT,
            format!("{base}/disabled"),
            json!({"disabled": true}),
            one_new(format!(
                "SELECT COUNT(*) FROM users WHERE id = {id} AND disabled = 1"
            )),
        ),
        ("post", "/api/v1/admin/users/{username}/password") => call(
            Method::POST,
            format!("{base}/password"),
            json!({}),
            one_new(format!(
                "SELECT COUNT(*) FROM users WHERE id = {id} AND must_change_password = 1"
            )),
        ),
        ("post", "/api/v1/admin/users/{username}/grants") => call(
            Method::POST,
            format!("{base}/grants"),
            json!({"role": "viewer", "agency": "BVHTTDL"}),
            one_new(format!(
                "SELECT COUNT(*) FROM user_grants WHERE user_id = {id} AND role = 'viewer'"
            )),
        ),
        ("delete", "/api/v1/admin/users/{username}/grants") => call(
            Method::DELETE,
            format!("{base}/grants"),
            json!({"role": "reporter", "agency": "BVHTTDL"}),
            change(
                1,
                0,
                format!("SELECT COUNT(*) FROM user_grants WHERE user_id = {id}"),
            ),
        ),
        ("delete", "/api/v1/admin/users/{username}/sessions") => {
            session().await;
            call(
                Method::DELETE,
                format!("{base}/sessions"),
                json!({}),
                change(
                    1,
                    0,
                    format!("SELECT COUNT(*) FROM sessions WHERE user_id = {id}"),
                ),
            )
        }
        ("delete", "/api/v1/admin/users/{username}/sessions/{id}") => {
            session().await;
            let session_id: String = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT id FROM sessions WHERE user_id = {id}"
            )))
            .fetch_one(app.db.pool())
            .await
            .unwrap();
            call(
                Method::DELETE,
                format!("{base}/sessions/{session_id}"),
                json!({}),
                change(
                    1,
                    0,
                    format!("SELECT COUNT(*) FROM sessions WHERE user_id = {id}"),
                ),
            )
        }
        ("delete", "/api/v1/admin/users/{username}/tokens/{id}") => {
            let token = accounts::create_api_token(
                &app.db,
                "test",
                &username,
                "đồng bộ nhân sự",
                dongbo_domain::clock::now(),
            )
            .await
            .unwrap();
            call(
                Method::DELETE,
                format!("{base}/tokens/{}", token.id),
                json!({}),
                one_new(format!(
                    "SELECT COUNT(*) FROM api_tokens WHERE id = {} AND revoked = 1",
                    token.id
                )),
            )
        }
        ("delete", "/api/v1/admin/users/{username}/locks") => {
            let now = dongbo_domain::clock::now();
            let stamp = |t: chrono::DateTime<chrono::Utc>| {
                t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
            };
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO login_lockouts (user_id, source, failures, locks, locked_until, \
                 updated_at) VALUES ({id}, '192.0.2.9', 0, 1, $1, $2)"
            )))
            .bind(stamp(now + chrono::Duration::hours(1)))
            .bind(stamp(now))
            .execute(app.db.pool())
            .await
            .expect("lock the account");
            call(
                Method::DELETE,
                format!("{base}/locks"),
                json!({}),
                change(
                    1,
                    0,
                    format!("SELECT COUNT(*) FROM login_lockouts WHERE user_id = {id}"),
                ),
            )
        }
        (method, path) => panic!("the matrix has no request for {method} {path}"),
    }
}

/// Sends `call` with `token`.
async fn send(app: &TestApp, call: &Call, token: &str) -> reqwest::Response {
    let request = app
        .client
        .request(call.method.clone(), format!("{}{}", app.base, call.path))
        .bearer_auth(token);
    let request = match &call.body {
        Body::Json(body) => request.json(body),
        Body::File(media, bytes) => request
            .header(reqwest::header::CONTENT_TYPE, *media)
            .body(bytes.clone()),
    };
    request.send().await.expect("request")
}

#[tokio::test]
async fn every_write_endpoint_allows_exactly_the_roles_of_the_matrix_and_changes_nothing_when_refused()
 {
    for app in apps().await {
        let mut tokens = std::collections::HashMap::new();
        for role in ROLES {
            for (place, agency) in [("bvh", "BVHTTDL"), ("bng", "BNG"), ("cp", "CP")] {
                let username = format!("{role}.{place}");
                let token = token_for(&app, &username, role, agency).await;
                tokens.insert((role, place), (username, token));
            }
        }
        with_indicators(&app).await;
        let mut fixtures = Fixtures {
            assignment: app.lead_of(app.program_id, "3.21", "BVHTTDL").await,
            next_period: 0,
        };
        let mut case = 0;
        for row in WRITES {
            for role in ROLES {
                for inside in [false, true] {
                    case += 1;
                    let place = match (row.scope, inside) {
                        (Scope::Agency, true) => "bvh",
                        (Scope::Agency, false) => "bng",
                        (Scope::Coordinator, true) => "cp",
                        (Scope::Coordinator, false) => "bvh",
                    };
                    let (username, token) = &tokens[&(role, place)];
                    let call = request_for(&app, &mut fixtures, row, username, case).await;
                    let what = format!(
                        "{} {} as {role} {} the subtree on {}",
                        row.method,
                        row.path,
                        if inside { "inside" } else { "outside" },
                        app.backend
                    );
                    let before = app.fingerprint().await;
                    let counted = count(&app, &call.effect.count).await;
                    let response = send(&app, &call, token).await;
                    let status = response.status();
                    if inside && row.allowed.contains(&role) {
                        assert!(
                            status.is_success(),
                            "{what}: {status} {}",
                            response.text().await.unwrap_or_default()
                        );
                        if let Some(from) = call.effect.from {
                            assert_eq!(counted, from, "{what}: before, {}", call.effect.count);
                        }
                        assert_eq!(
                            count(&app, &call.effect.count).await,
                            call.effect.to,
                            "{what}: its change is there ({})",
                            call.effect.count
                        );
                    } else {
                        let expected = if inside {
                            FORBIDDEN
                        } else {
                            outside_expected(row, role)
                        };
                        let (status, body) = problem(response).await;
                        assert_eq!(status.as_u16(), expected, "{what}: {body}");
                        assert_eq!(
                            before.changed(&app.fingerprint().await),
                            Vec::<String>::new(),
                            "{what} changed something"
                        );
                    }
                }
            }
        }
        assert_eq!(case, WRITES.len() * ROLES.len() * 2);
    }
}

/// The indicators of the import fixture stored in the app's 47/NQ-CP (indicator 4 is tracked
/// by BVHTTDL).
async fn with_indicators(app: &TestApp) {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../import/tests/fixtures/indicators.md"
    ))
    .unwrap();
    let imported = dongbo_import::import_indicators(
        &bytes,
        "indicators.md",
        dongbo_import::Format::Auto,
        &dongbo_domain::Directory::bundled(),
        None,
    )
    .unwrap();
    assert!(
        imported
            .indicators
            .iter()
            .any(|i| i.code == "4" && i.tracking_agency.as_deref() == Some("BVHTTDL")),
        "indicator 4 is tracked by BVHTTDL"
    );
    dongbo_store::indicators::upsert(&app.db, app.program_id, &imported.indicators, "test")
        .await
        .unwrap();
}

#[tokio::test]
async fn without_credentials_or_with_a_disabled_users_token_the_api_answers_401() {
    for app in apps().await {
        let reporter = token_for(&app, "bao.cao", "reporter", "BVHTTDL").await;
        let assignment = app.lead_of(app.program_id, "2.1", "BVHTTDL").await;
        let submit = format!("/api/v1/assignments/{assignment}/reports/submit");
        let body = json!({"results": "x", "progress": 10});
        let paths = [
            (Method::POST, submit.clone()),
            (Method::POST, "/api/v1/reports/1/accept".to_owned()),
            (
                Method::PUT,
                format!("/api/v1/assignments/{assignment}/progress"),
            ),
            (Method::POST, "/api/v1/agencies/BVHTTDL/plans".to_owned()),
            (
                Method::POST,
                format!("/api/v1/programs/{}/reminders", app.program_id),
            ),
            (Method::GET, "/api/v1/my/assignments".to_owned()),
            (Method::GET, "/api/v1/my/notifications".to_owned()),
        ];
        for (method, path) in &paths {
            let response = call(&app, method.clone(), path, None, Some(&body)).await;
            let (status, _) = problem(response).await;
            assert_eq!(status, 401, "{method} {path} on {}", app.backend);
        }
        let (status, _) = problem(
            call(
                &app,
                Method::POST,
                &submit,
                Some("dongbo_forged"),
                Some(&body),
            )
            .await,
        )
        .await;
        assert_eq!(status, 401);

        accounts::set_disabled(&app.db, "test", "bao.cao", true)
            .await
            .unwrap();
        let before = fingerprint(&app).await;
        let (status, _) =
            problem(call(&app, Method::POST, &submit, Some(&reporter), Some(&body)).await).await;
        assert_eq!(status, 401, "a disabled user's token stops working");
        assert_eq!(fingerprint(&app).await, before);
        accounts::set_disabled(&app.db, "test", "bao.cao", false)
            .await
            .unwrap();
        let response = call(&app, Method::POST, &submit, Some(&reporter), Some(&body)).await;
        assert_eq!(response.status(), 200, "enabled again");
    }
}

#[tokio::test]
async fn bad_bodies_get_problem_details_naming_the_field_and_never_a_500() {
    for app in apps().await {
        let reporter = token_for(&app, "bao.cao", "reporter", "BVHTTDL").await;
        let approver = token_for(&app, "lanh.dao", "approver", "BVHTTDL").await;
        let assignment = app.lead_of(app.program_id, "2.1", "BVHTTDL").await;
        let draft = format!("/api/v1/assignments/{assignment}/reports/draft");
        let before = fingerprint(&app).await;

        let send_raw = |path: String, token: String, text: &'static str| {
            let app = &app;
            async move {
                app.client
                    .post(format!("{}{path}", app.base))
                    .bearer_auth(token)
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(text)
                    .send()
                    .await
                    .unwrap()
            }
        };
        // Not JSON, cut off, or followed by more: 400.
        for text in ["{\"progress\": ", "progress=10", "", "{\"progress\": 1} []"] {
            let (status, _) = problem(send_raw(draft.clone(), reporter.clone(), text).await).await;
            assert_eq!(status, 400, "«{text}» on {}", app.backend);
        }
        // Values that do not hold: 422, with the field named as in the body.
        let cases = [
            (json!({"progress": "mười"}), "progress"),
            (json!({"progress": 300}), "progress"),
            (json!({"results": "x"}), "progress"),
            (json!({"progress": 10, "progres": 10}), "progres"),
            (json!({"progress": 10, "period": "Quý 5"}), "period"),
            (
                json!({"progress": 10, "documents": [{"number": "1/KH", "issued_on": "hôm qua"}]}),
                "documents[0].issued_on",
            ),
        ];
        for (body, field) in cases {
            let response = call(&app, Method::POST, &draft, Some(&reporter), Some(&body)).await;
            let (status, problem) = problem(response).await;
            assert_eq!(status, 422, "{body} on {}", app.backend);
            assert!(
                fields(&problem).contains(&field.to_owned()),
                "{body}: {problem}"
            );
        }
        // What the store refuses (a link that is not http) is a 422 with its reason.
        let response = call(
            &app,
            Method::POST,
            &draft,
            Some(&reporter),
            Some(&json!({"progress": 10, "links": [{"url": "javascript:alert(1)"}]})),
        )
        .await;
        let (status, problem_body) = problem(response).await;
        assert_eq!(status, 422);
        assert!(problem_body["detail"].as_str().unwrap().contains("http"));
        assert_eq!(fingerprint(&app).await, before, "nothing was written");

        // A rejection without a note names the note; a change without a reason names it.
        let request = changes::propose(
            &app.db,
            &NewChange {
                program_id: app.program_id,
                task_code: Some("2.1".into()),
                kind: ChangeKind::Drop,
                proposed_by_agency: "BVHTTDL".into(),
                proposed_by: "bao.cao".into(),
                reason: "Đã xong".into(),
                proposal: Proposal::default(),
            },
        )
        .await
        .unwrap();
        let coordinator = token_for(&app, "dieu.phoi", "coordinator", "CP").await;
        let (status, refused) = post(
            &app,
            &format!(
                "/api/v1/programs/{}/changes/{request}/decision",
                app.program_id
            ),
            &coordinator,
            &json!({"decision": "reject", "note": " "}),
        )
        .await;
        assert_eq!(status, 422);
        assert_eq!(fields(&refused), ["note"]);
        let (status, refused) = post(
            &app,
            &format!("/api/v1/programs/{}/tasks/2.1/changes", app.program_id),
            &reporter,
            &json!({"kind": "retime", "agency": "BVHTTDL", "time_frame": "", "reason": ""}),
        )
        .await;
        assert_eq!(status, 422, "{refused}");
        assert!(fields(&refused).contains(&"reason".to_owned()), "{refused}");

        // Wrong state: accepting a draft is a conflict with the report's state.
        let (status, saved) = post(&app, &draft, &reporter, &json!({"progress": 10})).await;
        assert_eq!(status, 200);
        let response = call(
            &app,
            Method::POST,
            &format!("/api/v1/reports/{}/accept", saved["report_id"]),
            Some(&approver),
            Some(&json!({"seen_version": saved["version"]})),
        )
        .await;
        let (status, _) = problem(response).await;
        assert_eq!(status, 409);
        // Unknown records are 404s.
        let response = call(
            &app,
            Method::POST,
            "/api/v1/reports/999999/accept",
            Some(&approver),
            Some(&json!({"seen_version": 1})),
        )
        .await;
        let (status, _) = problem(response).await;
        assert_eq!(status, 404);
    }
}

#[tokio::test]
async fn a_session_cookie_writes_to_the_api_only_with_the_csrf_header() {
    for app in apps().await {
        app.user("bao.cao", "reporter", "BVHTTDL", false).await;
        let mut browser = app.logged_in("bao.cao").await;
        let page = browser.text("/my").await;
        let csrf = common::hidden_value(&page, "csrf").unwrap();
        let cookie = browser
            .cookies
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let assignment = app.lead_of(app.program_id, "2.1", "BVHTTDL").await;
        let path = format!("{}/api/v1/assignments/{assignment}/reports/draft", app.base);
        let body = json!({"results": "x", "progress": 10});
        let response = app
            .client
            .post(&path)
            .header(reqwest::header::COOKIE, &cookie)
            .json(&body)
            .send()
            .await
            .unwrap();
        let (status, _) = problem(response).await;
        assert_eq!(status, 403, "no CSRF header on {}", app.backend);
        let response = app
            .client
            .post(&path)
            .header(reqwest::header::COOKIE, &cookie)
            .header("X-CSRF-Token", &csrf)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
}

#[tokio::test]
async fn every_documented_write_has_a_row_of_the_matrix_and_names_the_bearer_scheme() {
    // The document is made from the routes themselves (utoipa-axum): a write route added to
    // the API is in it, so it fails here until the matrix says who may call it.
    let app = TestApp::start(dongbo_testkit::TestDb::sqlite().await).await;
    let document = app.json("/api/v1/openapi.json").await;
    assert_eq!(
        document["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    let mut documented = Vec::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("a path item") {
            if !matches!(method.as_str(), "post" | "put" | "patch" | "delete") {
                continue;
            }
            assert!(
                operation["security"][0]["bearer"].is_array(),
                "{method} {path} names the bearer scheme"
            );
            assert!(
                operation["responses"]["403"].is_object(),
                "{method} {path} documents its refusal"
            );
            documented.push(format!("{method} {path}"));
        }
    }
    let rows: Vec<String> = WRITES
        .iter()
        .map(|w| format!("{} {}", w.method, w.path))
        .collect();
    let without_row: Vec<&String> = documented.iter().filter(|d| !rows.contains(d)).collect();
    assert!(
        without_row.is_empty(),
        "documented writes without a row in WRITES (say who may call them): {without_row:?}"
    );
    let undocumented: Vec<&String> = rows.iter().filter(|r| !documented.contains(r)).collect();
    assert!(
        undocumented.is_empty(),
        "rows of WRITES the document does not list: {undocumented:?}"
    );
    assert!(documented.len() >= 20, "{documented:?}");
    for read in [
        "/api/v1/my/assignments",
        "/api/v1/my/notifications",
        "/api/v1/assignments/{id}/reports",
        "/api/v1/reports/{id}",
        "/api/v1/programs/{id}/dashboard",
    ] {
        assert!(document["paths"][read]["get"].is_object(), "{read}");
    }
    assert!(document["components"]["schemas"]["Problem"].is_object());
    assert!(document["components"]["schemas"]["ReportWrite"].is_object());
}

#[tokio::test]
async fn an_evidence_file_is_uploaded_by_those_who_write_the_reports_and_cited_in_one() {
    const PDF: &[u8] = b"%PDF-1.4\nbien ban hoi nghi";
    for app in apps().await {
        let assignment = app.lead_of(app.program_id, "3.21", "BVHTTDL").await;
        let path = format!(
            "/api/v1/assignments/{assignment}/files?name={}",
            common::urlencode("Biên bản hội nghị.pdf")
        );
        let upload = |token: String, bytes: &'static [u8], kind: &'static str| {
            let request = app
                .client
                .post(format!("{}{path}", app.base))
                .bearer_auth(token)
                .header("content-type", kind)
                .body(bytes);
            async move { request.send().await.unwrap() }
        };
        let files = || async {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM evidence_files")
                .fetch_one(app.db.pool())
                .await
                .unwrap()
        };
        // The roles that write reports, on the agency: as the matrix says of submit_report.
        for role in ROLES {
            for (place, agency) in [("bvh", "BVHTTDL"), ("bng", "BNG")] {
                let token = token_for(&app, &format!("up.{role}.{place}"), role, agency).await;
                let before = files().await;
                let response = upload(token, PDF, "application/pdf").await;
                let should = place == "bvh" && PLANNERS.contains(&role);
                let what = format!("upload as {role} on {agency} on {}", app.backend);
                if should {
                    assert_eq!(response.status(), 200, "{what}");
                } else {
                    // Another agency's assignment is not found; one's own, forbidden.
                    let refused = if place == "bvh" { 403 } else { 404 };
                    assert_eq!(problem(response).await.0, refused, "{what}");
                    assert_eq!(files().await, before, "{what} stored nothing");
                }
            }
        }
        let reporter = token_for(&app, "up.reporter", "reporter", "BVHTTDL").await;
        // A refused kind is a 422 saying why, and stores nothing.
        let before = files().await;
        let (status, refused) =
            problem(upload(reporter.clone(), b"MZ\x90\x00", "application/x-msdownload").await)
                .await;
        assert_eq!(status, 422, "{refused}");
        assert_eq!(files().await, before);
        // The stored file is cited in a submitted report, and downloads for its readers.
        let response = upload(reporter.clone(), PDF, "application/pdf").await;
        let stored: Value = response.json().await.unwrap();
        assert_eq!(stored["name"], "Biên bản hội nghị.pdf");
        assert_eq!(stored["media_type"], "application/pdf");
        let sha = stored["sha256"].as_str().unwrap().to_owned();
        let (status, outcome) = post(
            &app,
            &format!("/api/v1/assignments/{assignment}/reports/submit"),
            &reporter,
            &json!({"results": "Đã tổ chức hội nghị", "progress": 40,
                    "files": [{"sha256": sha, "name": "Biên bản hội nghị.pdf"}]}),
        )
        .await;
        assert_eq!(status, 200, "{outcome}");
        let report = get(
            &app,
            &format!("/api/v1/reports/{}", outcome["report_id"]),
            &reporter,
        )
        .await;
        assert_eq!(
            report["content"]["files"][0]["sha256"],
            sha.as_str(),
            "{report}"
        );
    }
}
