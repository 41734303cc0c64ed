//! The permission matrix of issue 3 over real HTTP, on every backend: every state-changing
//! page endpoint × every role × a target agency inside and outside the user's subtree (and an
//! anonymous visitor), each answered as the table below specifies. A refused request — 403,
//! 404 for a record the caller may not read, anonymous, without its CSRF token or with another
//! session's — changes nothing in the database; an allowed one succeeds and its change is
//! there. Every POST route of the router has a row (`page_post_routes` reads them from its
//! source), so a new form cannot go untested.
//!
//! The expectations come from the tables written here (`ENDPOINTS`, `MAY`), the issue's
//! words and the matrix documented in `dongbo_domain::access`, never from the code under test.

mod common;

use std::collections::HashSet;

use common::{Browser, TestApp, apps, location};
use dongbo_domain::{Period, PeriodKind, Recurrence};
use dongbo_store::changes::{self, ChangeKind, ChangeStatus, NewChange, Proposal};
use dongbo_store::reports::{self, Edit, ReportContent, ReportPeriod, ReportStatus};
use dongbo_store::{accounts, assignments, plans, programs};

/// What an endpoint needs from the caller's roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Needs {
    EditPlan,
    SubmitReport,
    ReviewReport,
    ReopenReport,
    DecideChangeRequest,
    SendReminder,
    /// Record an indicator's value: who writes or reviews the tracking agency's reports.
    RecordIndicator,
    PublishReport,
    EditTemplates,
    /// Manage the accounts and roles of the users whose grants lie in the agency's subtree.
    ManageUsers,
    /// Only a login: the caller acts on their own account.
    OwnAccount,
}

/// Which agency the need is asked about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum On {
    /// The agency the request concerns: named in the path or the form, or the agency of the
    /// plan, assignment, report or change request it acts on.
    TheAgency,
    /// The program's coordinating agency: the Government (CP) for 47/NQ-CP.
    Coordinator,
    /// No agency: the caller's own account.
    Nobody,
}

/// What an anonymous visitor gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Anonymous {
    /// Sent to the login form, which comes back to the page.
    ToLogin,
    /// Nothing to do (logging out without a session): sent to the home page.
    Home,
}

/// The roles, in the order of `dongbo_domain::access`.
const ROLES: [&str; 5] = ["viewer", "reporter", "approver", "coordinator", "admin"];

/// Who may do what on an agency their grant covers (issue 3: a reporter drafts the plan and
/// the reports, the approver also reviews them, the coordinator reviews, reopens, decides
/// change requests and sends reminders, the admin does everything).
const MAY: &[(Needs, &[&str])] = &[
    (Needs::EditPlan, &["reporter", "approver", "admin"]),
    (Needs::SubmitReport, &["reporter", "approver", "admin"]),
    (Needs::ReviewReport, &["approver", "coordinator", "admin"]),
    (Needs::ReopenReport, &["coordinator", "admin"]),
    (Needs::DecideChangeRequest, &["coordinator", "admin"]),
    (Needs::SendReminder, &["coordinator", "admin"]),
    (
        Needs::RecordIndicator,
        &["reporter", "approver", "coordinator", "admin"],
    ),
    (Needs::PublishReport, &["approver", "coordinator", "admin"]),
    (Needs::EditTemplates, &["admin"]),
    (Needs::ManageUsers, &["admin"]),
    (Needs::OwnAccount, &ROLES),
];

fn may(role: &str, needs: Needs) -> bool {
    MAY.iter()
        .find(|(n, _)| *n == needs)
        .is_some_and(|(_, roles)| roles.contains(&role))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Endpoint {
    AgencySave,
    AgencySubmit,
    AgencyUpload,
    AgencyReturn,
    AgencyAccept,
    AgencyReopen,
    CreatePlan,
    CreateUnit,
    AddPlanTask,
    AssignUnit,
    SaveDraft,
    SubmitReport,
    ReturnReport,
    AcceptReport,
    ReopenReport,
    ChooseOpenSet,
    OverrideProgress,
    SendReminder,
    ProposeNewTask,
    ProposeTaskChange,
    DecideChange,
    WithdrawChange,
    ReimportProgram,
    RecordIndicatorValue,
    ConfirmIndicatorDirection,
    SetRegime,
    RemoveRegime,
    GenerateSynthesis,
    SaveTemplate,
    ChangePassword,
    Logout,
    LogOutEverywhere,
    SetEmail,
    GrantRole,
    RevokeRole,
    DisableUser,
    UnlockUser,
    LogUserOutEverywhere,
    EndUserSession,
    RevokeUserToken,
    SetFocalPoints,
}

/// One state-changing page endpoint and what it needs.
struct Row {
    endpoint: Endpoint,
    route: &'static str,
    needs: Needs,
    on: On,
    anonymous: Anonymous,
    /// What a caller outside the agency's subtree gets: 404 where the route names a record of
    /// the agency (its reports, assignments, plans), whose ids must tell nothing to those who
    /// may not read it; 403 elsewhere. Inside, a role that may read but not act gets 403.
    outside: u16,
}

const fn row(endpoint: Endpoint, route: &'static str, needs: Needs, on: On) -> Row {
    Row {
        endpoint,
        route,
        needs,
        on,
        anonymous: Anonymous::ToLogin,
        outside: 403,
    }
}

/// A row whose route names a record of the agency: unknown to those outside its subtree.
const fn on_record(endpoint: Endpoint, route: &'static str, needs: Needs) -> Row {
    Row {
        outside: 404,
        ..row(endpoint, route, needs, On::TheAgency)
    }
}

/// A row of the administrators' user pages, which name a user who has a role on the agency:
/// an administrator outside the user's agency does not find them (404: usernames tell nothing
/// of other ministries' staff); anyone who is no administrator at all is forbidden there
/// outright (403), inside or outside.
const fn on_user(endpoint: Endpoint, route: &'static str) -> Row {
    Row {
        outside: 404,
        ..row(endpoint, route, Needs::ManageUsers, On::TheAgency)
    }
}

/// What a caller outside the agency's subtree gets from `row`.
fn outside_status(row: &Row, role: &str) -> u16 {
    if row.needs == Needs::ManageUsers && !may(role, row.needs) {
        403
    } else {
        row.outside
    }
}

/// Every state-changing page endpoint of `crates/web/src/pages/mod.rs`.
const ENDPOINTS: &[Row] = &[
    on_record(
        Endpoint::AgencySave,
        "POST /programs/{id}/agencies/{code}/report (save)",
        Needs::SubmitReport,
    ),
    on_record(
        Endpoint::AgencySubmit,
        "POST /programs/{id}/agencies/{code}/report (submit)",
        Needs::SubmitReport,
    ),
    on_record(
        Endpoint::AgencyUpload,
        "POST /programs/{id}/agencies/{code}/report.xlsx",
        Needs::SubmitReport,
    ),
    on_record(
        Endpoint::AgencyReturn,
        "POST /agency-reports/{id}/review (return)",
        Needs::ReviewReport,
    ),
    on_record(
        Endpoint::AgencyAccept,
        "POST /agency-reports/{id}/review (accept)",
        Needs::ReviewReport,
    ),
    on_record(
        Endpoint::AgencyReopen,
        "POST /agency-reports/{id}/review (reopen)",
        Needs::ReopenReport,
    ),
    row(
        Endpoint::CreatePlan,
        "POST /agencies/{code}/plans",
        Needs::EditPlan,
        On::TheAgency,
    ),
    row(
        Endpoint::CreateUnit,
        "POST /agencies/{code}/units",
        Needs::EditPlan,
        On::TheAgency,
    ),
    on_record(
        Endpoint::AddPlanTask,
        "POST /plans/{id}/tasks",
        Needs::EditPlan,
    ),
    on_record(
        Endpoint::AssignUnit,
        "POST /plans/{id}/tasks/{code}/units",
        Needs::EditPlan,
    ),
    on_record(
        Endpoint::SaveDraft,
        "POST /assignments/{id}/report (save)",
        Needs::SubmitReport,
    ),
    on_record(
        Endpoint::SubmitReport,
        "POST /assignments/{id}/report (submit)",
        Needs::SubmitReport,
    ),
    on_record(
        Endpoint::ReturnReport,
        "POST /reports/{id}/review (return)",
        Needs::ReviewReport,
    ),
    on_record(
        Endpoint::AcceptReport,
        "POST /reports/{id}/review (accept)",
        Needs::ReviewReport,
    ),
    on_record(
        Endpoint::ReopenReport,
        "POST /reports/{id}/review (reopen)",
        Needs::ReopenReport,
    ),
    row(
        Endpoint::ChooseOpenSet,
        "POST /open-sets/{id}",
        Needs::DecideChangeRequest,
        On::Coordinator,
    ),
    on_record(
        Endpoint::OverrideProgress,
        "POST /assignments/{id}/progress",
        Needs::ReviewReport,
    ),
    row(
        Endpoint::SendReminder,
        "POST /programs/{id}/reminders",
        Needs::SendReminder,
        On::Coordinator,
    ),
    row(
        Endpoint::ProposeNewTask,
        "POST /programs/{id}/changes",
        Needs::EditPlan,
        On::TheAgency,
    ),
    row(
        Endpoint::ProposeTaskChange,
        "POST /programs/{id}/tasks/{code}/changes",
        Needs::EditPlan,
        On::TheAgency,
    ),
    row(
        Endpoint::DecideChange,
        "POST /programs/{id}/changes/{request}/decision",
        Needs::DecideChangeRequest,
        On::Coordinator,
    ),
    row(
        Endpoint::WithdrawChange,
        "POST /programs/{id}/changes/{request}/withdraw",
        Needs::EditPlan,
        On::TheAgency,
    ),
    // Re-importing may override approved change requests: who decides them.
    row(
        Endpoint::ReimportProgram,
        "POST /programs/{id}/import",
        Needs::DecideChangeRequest,
        On::Coordinator,
    ),
    row(
        Endpoint::RecordIndicatorValue,
        "POST /programs/{id}/indicators/{code}/values",
        Needs::RecordIndicator,
        On::TheAgency,
    ),
    row(
        Endpoint::ConfirmIndicatorDirection,
        "POST /programs/{id}/indicators/{code}/direction",
        Needs::DecideChangeRequest,
        On::TheAgency,
    ),
    row(
        Endpoint::SetRegime,
        "POST /programs/{id}/regimes",
        Needs::DecideChangeRequest,
        On::Coordinator,
    ),
    row(
        Endpoint::RemoveRegime,
        "POST /programs/{id}/regimes/remove",
        Needs::DecideChangeRequest,
        On::Coordinator,
    ),
    row(
        Endpoint::GenerateSynthesis,
        "POST /programs/{id}/synthesis",
        Needs::PublishReport,
        On::TheAgency,
    ),
    // Template wording is the whole system's: an administrator on the root only.
    row(
        Endpoint::SaveTemplate,
        "POST /admin/templates/synthesis",
        Needs::EditTemplates,
        On::Coordinator,
    ),
    row(
        Endpoint::ChangePassword,
        "POST /account/password",
        Needs::OwnAccount,
        On::Nobody,
    ),
    Row {
        endpoint: Endpoint::Logout,
        route: "POST /logout",
        needs: Needs::OwnAccount,
        on: On::Nobody,
        anonymous: Anonymous::Home,
        outside: 403,
    },
    row(
        Endpoint::LogOutEverywhere,
        "POST /account/logout-everywhere",
        Needs::OwnAccount,
        On::Nobody,
    ),
    row(
        Endpoint::SetEmail,
        "POST /account/email",
        Needs::OwnAccount,
        On::Nobody,
    ),
    row(
        Endpoint::SetFocalPoints,
        "POST /agencies/{code}/focal-points",
        Needs::ManageUsers,
        On::TheAgency,
    ),
    on_user(Endpoint::GrantRole, "POST /admin/users/{username}/grant"),
    on_user(Endpoint::RevokeRole, "POST /admin/users/{username}/revoke"),
    on_user(
        Endpoint::DisableUser,
        "POST /admin/users/{username}/disabled",
    ),
    on_user(Endpoint::UnlockUser, "POST /admin/users/{username}/unlock"),
    on_user(
        Endpoint::LogUserOutEverywhere,
        "POST /admin/users/{username}/logout-everywhere",
    ),
    on_user(
        Endpoint::EndUserSession,
        "POST /admin/users/{username}/sessions/end",
    ),
    on_user(
        Endpoint::RevokeUserToken,
        "POST /admin/users/{username}/tokens/{id}/revoke",
    ),
];

/// The agency each role's user is given in the matrix (a different one per role, so each
/// role's allowed requests find their own fresh records), and the agency outside every one
/// of them.
fn home_agency(role: &str) -> &'static str {
    match role {
        "viewer" => "BTC",
        "reporter" => "BCA",
        "approver" => "BCT",
        "coordinator" => "BNV",
        _ => "BQP",
    }
}
const ELSEWHERE: &str = "BYT";
const COORDINATOR: &str = "CP";

/// The new password of the own-account rows.
const NEW_PASSWORD: &str = "Mật khẩu mới hơn 2026!";

/// A request ready to send, and how to see that it took effect.
struct Prepared {
    path: String,
    form: Vec<(String, String)>,
    /// Sent as `multipart/form-data` with the CSRF token in the query (the report form).
    multipart: bool,
    /// The file a multipart form carries (an uploaded Excel form).
    file: Option<Vec<u8>>,
    effect: Effect,
}

/// The change an allowed request makes.
enum Effect {
    PlanOf {
        agency: String,
    },
    Unit {
        code: String,
    },
    PlanTask {
        plan: i64,
        tasks_before: usize,
    },
    UnitAssigned {
        plan: i64,
        task: String,
        unit: String,
    },
    Report {
        assignment: i64,
        period: ReportPeriod,
        status: ReportStatus,
    },
    ReportNowIs {
        report: i64,
        status: ReportStatus,
    },
    OpenSetChosen {
        program: i64,
        task: String,
        pending: i64,
    },
    Override {
        program: i64,
        task: String,
        assignment: i64,
        reason: String,
    },
    /// One more row in `table`.
    OneMoreRow {
        table: &'static str,
    },
    ChangeRequests {
        program: i64,
        before: usize,
    },
    ChangeIs {
        request: i64,
        status: ChangeStatus,
    },
    Password {
        username: String,
    },
    LoggedOut,
    /// `count` (a `SELECT COUNT(*)` naming what this very request writes) goes from `from` to
    /// `to`.
    Count {
        count: String,
        from: Option<i64>,
        to: i64,
    },
}

/// The matrix's users and the records the cases consume.
struct Context {
    counter: usize,
    /// Assignments already given a report or an override by a case.
    used: HashSet<i64>,
    /// Tasks already given a change request by a case.
    proposed: HashSet<(String, String)>,
}

impl Context {
    fn next(&mut self) -> usize {
        self.counter += 1;
        self.counter
    }
}

/// The period a report of `task` is for, as the report page picks it.
fn period_of(task: &dongbo_domain::Task) -> ReportPeriod {
    if task.time_frame.recurrence == Recurrence::None {
        ReportPeriod::Once
    } else {
        ReportPeriod::Period(
            Period::containing(PeriodKind::Annual, dongbo_domain::clock::today())
                .expect("an annual period today"),
        )
    }
}

/// An assignment of `agency` in 47/NQ-CP no case used yet, with its task.
async fn fresh_assignment(
    app: &TestApp,
    ctx: &mut Context,
    agency: &str,
) -> assignments::AgencyAssignment {
    let found = assignments::for_agency(&app.db, agency)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.assignment.program_id == app.program_id && !ctx.used.contains(&a.assignment.id))
        .unwrap_or_else(|| panic!("{agency} has an unused assignment"));
    ctx.used.insert(found.assignment.id);
    found
}

/// A report of a fresh assignment of `agency`, written by a fixture author up to `status`.
async fn report_in(app: &TestApp, ctx: &mut Context, agency: &str, status: ReportStatus) -> i64 {
    let assigned = fresh_assignment(app, ctx, agency).await;
    let content = ReportContent {
        library_items: Vec::new(),
        results: "Đã triển khai".into(),
        progress: 60,
        ..ReportContent::default()
    };
    let edit = Edit {
        assignment_id: assigned.assignment.id,
        period: period_of(&assigned.task),
        content: &content,
        author: "fixture",
        based_on: None,
        idempotency_key: None,
    };
    let outcome = reports::submit(&app.db, &edit)
        .await
        .expect("submit a fixture report");
    if status == ReportStatus::Accepted {
        reports::accept(&app.db, outcome.report_id, outcome.version, "fixture", None)
            .await
            .expect("accept a fixture report");
    }
    outcome.report_id
}

/// The tasks `agency` answers for in 47/NQ-CP: assignment id, task code, whether it leads.
async fn agency_tasks(app: &TestApp, agency: &str) -> Vec<(i64, String, bool)> {
    assignments::for_agency(&app.db, agency)
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.assignment.program_id == app.program_id)
        .map(|a| {
            (
                a.assignment.id,
                a.assignment.task_code,
                a.assignment.role == dongbo_domain::Role::Lead,
            )
        })
        .collect()
}

/// An agency report of `agency` for `year`, sent by a fixture person (and accepted when
/// `status` says so), holding its first task: its id and version.
async fn agency_report_in(
    app: &TestApp,
    agency: &str,
    year: i32,
    status: ReportStatus,
) -> (i64, i64) {
    use dongbo_store::agency_reports::{self, AgencyEdit, AgencyReview, ItemEdit, Key};
    let (assignment, _, _) = agency_tasks(app, agency).await[0].clone();
    let period = Period::new(PeriodKind::Annual, year, 1).unwrap();
    let content = ReportContent {
        library_items: Vec::new(),
        results: "Đã triển khai".into(),
        progress: 60,
        ..ReportContent::default()
    };
    let items = [ItemEdit {
        assignment_id: assignment,
        period: period.into(),
        content: &content,
        based_on: None,
    }];
    let code = format!("{year}-Y");
    let sent = agency_reports::submit(
        &app.db,
        &AgencyEdit {
            key: Key {
                program_id: app.program_id,
                agency_code: agency,
                period: &code,
            },
            items: &items,
            author: "fixture",
            based_on: None,
        },
    )
    .await
    .expect("send a fixture agency report");
    if status != ReportStatus::Accepted {
        return (sent.id, sent.version);
    }
    let accepted = agency_reports::accept(
        &app.db,
        &AgencyReview {
            id: sent.id,
            seen_version: sent.version,
            by: "fixture",
            comment: None,
            items: &[],
        },
    )
    .await
    .expect("accept a fixture agency report");
    (accepted.id, accepted.version)
}

/// A pending change request to re-time a task of `agency`, proposed by a fixture person.
async fn pending_change(app: &TestApp, ctx: &mut Context, agency: &str) -> i64 {
    let task = fresh_task(app, ctx, agency).await;
    changes::propose(
        &app.db,
        &NewChange {
            program_id: app.program_id,
            task_code: Some(task),
            kind: ChangeKind::Retime,
            proposed_by_agency: agency.to_owned(),
            proposed_by: "fixture".to_owned(),
            reason: "Cần thêm thời gian".to_owned(),
            proposal: Proposal {
                time_frame: Some("2027".to_owned()),
                ..Proposal::default()
            },
        },
    )
    .await
    .expect("propose a fixture change")
}

/// A task of 47/NQ-CP assigned to `agency` that no case proposed to change yet.
async fn fresh_task(app: &TestApp, ctx: &mut Context, agency: &str) -> String {
    let code = assignments::for_agency(&app.db, agency)
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.assignment.program_id == app.program_id)
        .map(|a| a.assignment.task_code)
        .find(|code| !ctx.proposed.contains(&(agency.to_owned(), code.clone())))
        .unwrap_or_else(|| panic!("{agency} has a task with no change request"));
    ctx.proposed.insert((agency.to_owned(), code.clone()));
    code
}

/// The plan of `agency` for 47/NQ-CP, created when it has none.
async fn plan_of(app: &TestApp, agency: &str) -> i64 {
    let directory = dongbo_domain::Directory::bundled();
    plans::create(&app.db, &directory, app.program_id, agency)
        .await
        .expect("create a fixture plan")
        .program_id()
}

async fn task_count(app: &TestApp, program: i64) -> usize {
    programs::get(&app.db, program)
        .await
        .unwrap()
        .expect("the program")
        .program
        .tasks
        .len()
}

fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// The fixture and the request of one case of `endpoint` about `agency` by `username`.
async fn prepare(
    app: &TestApp,
    ctx: &mut Context,
    endpoint: Endpoint,
    agency: &str,
    username: &str,
) -> Prepared {
    let n = ctx.next();
    let program = app.program_id;
    let plain = |path: String, form: Vec<(String, String)>, effect: Effect| Prepared {
        path,
        form,
        multipart: false,
        file: None,
        effect,
    };
    match endpoint {
        Endpoint::AgencySave | Endpoint::AgencySubmit | Endpoint::AgencyUpload => {
            // A year of its own per case: an agency has one report per period.
            let year = 2030 + n as i32;
            let period = format!("{year}-Y");
            let tasks = agency_tasks(app, agency).await;
            let (action, status) = match endpoint {
                Endpoint::AgencySubmit => ("submit", "submitted"),
                _ => ("save", "draft"),
            };
            let mut fields = vec![("action".to_owned(), action.to_owned())];
            for (id, _, lead) in &tasks {
                fields.push((format!("t{id}_results"), "Đã thực hiện".to_owned()));
                if *lead {
                    fields.push((format!("t{id}_progress"), "50".to_owned()));
                }
            }
            let count = Effect::Count {
                count: format!(
                    "SELECT COUNT(*) FROM agency_reports WHERE agency_code = '{agency}' \
                     AND period = '{period}' AND status = '{status}'"
                ),
                from: Some(0),
                to: 1,
            };
            let path = format!("/programs/{program}/agencies/{agency}/report");
            if endpoint == Endpoint::AgencyUpload {
                let key = dongbo_import::report_sheet::SheetKey {
                    program_id: program,
                    agency_code: agency.to_owned(),
                    period: period.clone(),
                };
                let rows: Vec<dongbo_import::report_sheet::SheetRow> = tasks
                    .iter()
                    .map(|(id, code, lead)| dongbo_import::report_sheet::SheetRow {
                        assignment_id: *id,
                        task_code: code.clone(),
                        lead: *lead,
                        results: "Đã thực hiện".to_owned(),
                        progress: lead.then_some(50),
                        ..Default::default()
                    })
                    .collect();
                Prepared {
                    path: format!("{path}.xlsx?period={period}"),
                    form: Vec::new(),
                    multipart: true,
                    file: Some(
                        dongbo_import::report_sheet::write_template(&key, "", &rows).unwrap(),
                    ),
                    effect: count,
                }
            } else {
                plain(format!("{path}?period={period}"), fields, count)
            }
        }
        Endpoint::AgencyReturn | Endpoint::AgencyAccept | Endpoint::AgencyReopen => {
            let (start, action, after) = match endpoint {
                Endpoint::AgencyReturn => (ReportStatus::Submitted, "return", "returned"),
                Endpoint::AgencyAccept => (ReportStatus::Submitted, "accept", "accepted"),
                _ => (ReportStatus::Accepted, "reopen", "returned"),
            };
            let (id, seen) = agency_report_in(app, agency, 2060 + n as i32, start).await;
            plain(
                format!("/agency-reports/{id}/review"),
                form(&[
                    ("seen_version", &seen.to_string()),
                    ("action", action),
                    ("comment", "Bổ sung số liệu"),
                ]),
                Effect::Count {
                    count: format!(
                        "SELECT COUNT(*) FROM agency_reports WHERE id = {id} AND status = '{after}'"
                    ),
                    from: Some(0),
                    to: 1,
                },
            )
        }
        Endpoint::CreatePlan => plain(
            format!("/agencies/{agency}/plans"),
            form(&[("program_id", &program.to_string())]),
            Effect::PlanOf {
                agency: agency.to_owned(),
            },
        ),
        Endpoint::CreateUnit => plain(
            format!("/agencies/{agency}/units"),
            form(&[("code", &format!("U{n}")), ("name_vi", "Phòng Hợp tác")]),
            Effect::Unit {
                code: format!("{agency}/U{n}"),
            },
        ),
        Endpoint::AddPlanTask => {
            let plan = plan_of(app, agency).await;
            let parent = assignments::for_agency(&app.db, agency)
                .await
                .unwrap()
                .into_iter()
                .find(|a| a.assignment.program_id == program)
                .expect("an assigned task")
                .assignment
                .task_code;
            plain(
                format!("/plans/{plan}/tasks"),
                form(&[
                    ("parent_task_code", &parent),
                    ("title", &format!("Nhiệm vụ riêng {n}")),
                    ("expected_output", "Báo cáo"),
                    ("time_frame", "Quý IV/2026"),
                ]),
                Effect::PlanTask {
                    plan,
                    tasks_before: task_count(app, plan).await,
                },
            )
        }
        Endpoint::AssignUnit => {
            let plan = plan_of(app, agency).await;
            let directory = dongbo_domain::Directory::bundled();
            let unit = plans::create_unit(&app.db, &directory, agency, &format!("F{n}"), "Vụ", "")
                .await
                .expect("create a fixture unit")
                .code;
            let task = programs::get(&app.db, plan)
                .await
                .unwrap()
                .expect("the plan")
                .program
                .tasks[0]
                .code
                .clone();
            plain(
                format!("/plans/{plan}/tasks/{task}/units"),
                form(&[("unit_code", &unit), ("due_on", "2026-12-31")]),
                Effect::UnitAssigned { plan, task, unit },
            )
        }
        Endpoint::SaveDraft | Endpoint::SubmitReport => {
            let assigned = fresh_assignment(app, ctx, agency).await;
            let period = period_of(&assigned.task);
            let (action, status) = if endpoint == Endpoint::SaveDraft {
                ("save", ReportStatus::Draft)
            } else {
                ("submit", ReportStatus::Submitted)
            };
            Prepared {
                path: format!(
                    "/assignments/{}/report?period={}",
                    assigned.assignment.id,
                    period.code()
                ),
                form: form(&[
                    ("action", action),
                    ("based_on", ""),
                    ("results", "Đã tổ chức hội nghị"),
                    ("progress", "40"),
                ]),
                multipart: true,
                file: None,
                effect: Effect::Report {
                    assignment: assigned.assignment.id,
                    period,
                    status,
                },
            }
        }
        Endpoint::ReturnReport | Endpoint::AcceptReport | Endpoint::ReopenReport => {
            let (start, action, after) = match endpoint {
                Endpoint::ReturnReport => {
                    (ReportStatus::Submitted, "return", ReportStatus::Returned)
                }
                Endpoint::AcceptReport => {
                    (ReportStatus::Submitted, "accept", ReportStatus::Accepted)
                }
                _ => (ReportStatus::Accepted, "reopen", ReportStatus::Returned),
            };
            let report = report_in(app, ctx, agency, start).await;
            let seen = reports::get(&app.db, report)
                .await
                .unwrap()
                .summary
                .current_version;
            plain(
                format!("/reports/{report}/review"),
                form(&[
                    ("seen_version", &seen.to_string()),
                    ("action", action),
                    ("comment", "Bổ sung số liệu"),
                ]),
                Effect::ReportNowIs {
                    report,
                    status: after,
                },
            )
        }
        Endpoint::ChooseOpenSet => {
            let (task, pending) = open_set(app).await;
            plain(
                format!("/open-sets/{pending}"),
                form(&[("agency", "BTP")]),
                Effect::OpenSetChosen {
                    program,
                    task,
                    pending,
                },
            )
        }
        Endpoint::OverrideProgress => {
            let assigned = fresh_assignment(app, ctx, agency).await;
            let reason = format!("Theo giao ban lần {n}");
            plain(
                format!("/assignments/{}/progress", assigned.assignment.id),
                form(&[("progress", "55"), ("reason", &reason)]),
                Effect::Override {
                    program,
                    task: assigned.assignment.task_code,
                    assignment: assigned.assignment.id,
                    reason,
                },
            )
        }
        Endpoint::SendReminder => plain(
            format!("/programs/{program}/reminders"),
            form(&[
                ("agency", agency),
                ("message", &format!("Đề nghị báo cáo (lần {n})")),
            ]),
            // Queued for the reminder runner, one per agency.
            Effect::OneMoreRow { table: "reminders" },
        ),
        Endpoint::ProposeNewTask => plain(
            format!("/programs/{program}/changes"),
            form(&[
                ("kind", "add"),
                ("agency", agency),
                ("group", "1"),
                ("title", &format!("Nhiệm vụ mới {n}")),
                ("expected_output", ""),
                ("time_frame", "2026"),
                ("reason", "Phát sinh yêu cầu mới"),
            ]),
            Effect::ChangeRequests {
                program,
                before: changes::for_program(&app.db, program, None)
                    .await
                    .unwrap()
                    .len(),
            },
        ),
        Endpoint::ProposeTaskChange => {
            let task = fresh_task(app, ctx, agency).await;
            plain(
                format!("/programs/{program}/tasks/{task}/changes"),
                form(&[
                    ("agency", agency),
                    ("kind", "retime"),
                    ("time_frame", "2027"),
                    ("reason", "Cần thêm thời gian"),
                ]),
                Effect::ChangeRequests {
                    program,
                    before: changes::for_program(&app.db, program, None)
                        .await
                        .unwrap()
                        .len(),
                },
            )
        }
        Endpoint::DecideChange => {
            let request = pending_change(app, ctx, home_agency("reporter")).await;
            plain(
                format!("/programs/{program}/changes/{request}/decision"),
                form(&[("decision", "reject"), ("note", "Chưa đủ căn cứ")]),
                Effect::ChangeIs {
                    request,
                    status: ChangeStatus::Rejected,
                },
            )
        }
        Endpoint::WithdrawChange => {
            let request = pending_change(app, ctx, agency).await;
            plain(
                format!("/programs/{program}/changes/{request}/withdraw"),
                Vec::new(),
                Effect::ChangeIs {
                    request,
                    status: ChangeStatus::Withdrawn,
                },
            )
        }
        Endpoint::ReimportProgram => {
            // 47/NQ-CP's file with task 1.1 retitled, differently each case: an allowed
            // re-import changes the program.
            let marker = format!("(bản sửa {n})");
            let text = std::str::from_utf8(dongbo_testkit::programs::RESOLUTION_47)
                .unwrap()
                .replacen(
                    "Phổ biến, quán triệt nội dung Nghị quyết",
                    &format!("Phổ biến, quán triệt nội dung Nghị quyết {marker}"),
                    1,
                );
            let hex: String = text.bytes().map(|b| format!("{b:02x}")).collect();
            Prepared {
                path: format!("/programs/{program}/import?lang=vi"),
                form: form(&[
                    ("step", "import"),
                    ("file_name", "47-NQ-CP.txt"),
                    ("content", &hex),
                ]),
                multipart: true,
                file: None,
                effect: new_row(format!(
                    "SELECT COUNT(*) FROM tasks WHERE program_id = {program} \
                     AND title LIKE '%{marker}%'"
                )),
            }
        }
        Endpoint::ChangePassword => plain(
            "/account/password".to_owned(),
            form(&[
                ("current", common::PASSWORD),
                ("new", NEW_PASSWORD),
                ("confirm", NEW_PASSWORD),
            ]),
            Effect::Password {
                username: username.to_owned(),
            },
        ),
        Endpoint::Logout => plain("/logout".to_owned(), Vec::new(), Effect::LoggedOut),
        Endpoint::LogOutEverywhere => plain(
            "/account/logout-everywhere".to_owned(),
            Vec::new(),
            Effect::Count {
                count: format!(
                    "SELECT COUNT(*) FROM sessions WHERE user_id = \
                     (SELECT id FROM users WHERE username = '{username}')"
                ),
                from: None,
                to: 0,
            },
        ),
        Endpoint::SetEmail => plain(
            "/account/email".to_owned(),
            form(&[
                ("email", &format!("{username}@example.gov.vn")),
                ("cadence", "daily"),
            ]),
            Effect::Count {
                count: format!(
                    "SELECT COUNT(*) FROM user_email_settings WHERE cadence = 'daily' AND \
                     user_id = (SELECT id FROM users WHERE username = '{username}')"
                ),
                from: None,
                to: 1,
            },
        ),
        Endpoint::RecordIndicatorValue => {
            let code = indicator_of(app, agency, n).await;
            let note = format!("Ghi lần {n}");
            plain(
                format!("/programs/{program}/indicators/{code}/values"),
                form(&[
                    ("period", "2025"),
                    ("value", "45"),
                    ("source", "Báo cáo năm"),
                    ("note", &note),
                ]),
                new_row(format!(
                    "SELECT COUNT(*) FROM indicator_values WHERE author = '{username}' \
                     AND note = '{note}' AND agency_code = '{agency}'"
                )),
            )
        }
        Endpoint::ConfirmIndicatorDirection => {
            let code = indicator_of(app, agency, n).await;
            plain(
                format!("/programs/{program}/indicators/{code}/direction"),
                form(&[("direction", "lower")]),
                new_row(format!(
                    "SELECT COUNT(*) FROM indicators WHERE code = '{code}' \
                     AND direction_confirmed_by = '{username}'"
                )),
            )
        }
        Endpoint::SetRegime => {
            let days = n % 60 + 1;
            plain(
                format!("/programs/{program}/regimes"),
                form(&[
                    ("kind", "quarterly"),
                    ("reporters", "leads"),
                    ("working_days", &days.to_string()),
                ]),
                new_row(format!(
                    "SELECT COUNT(*) FROM program_regimes WHERE program_id = {program} \
                     AND regime_key = 'quarterly' AND working_days = {days} \
                     AND updated_by = '{username}'"
                )),
            )
        }
        Endpoint::RemoveRegime => {
            dongbo_store::regimes::set(
                &app.db,
                program,
                &dongbo_domain::ReportingRegime::periodic(
                    PeriodKind::Monthly,
                    dongbo_domain::Reporters::Every,
                    dongbo_domain::DeadlineRule::new(1).expect("a deadline rule"),
                ),
                "fixture",
            )
            .await
            .expect("set a fixture regime");
            plain(
                format!("/programs/{program}/regimes/remove"),
                form(&[("key", "monthly")]),
                Effect::Count {
                    count: format!(
                        "SELECT COUNT(*) FROM program_regimes WHERE program_id = {program} \
                         AND regime_key = 'monthly'"
                    ),
                    from: Some(1),
                    to: 0,
                },
            )
        }
        Endpoint::GenerateSynthesis => plain(
            format!("/programs/{program}/synthesis"),
            form(&[
                ("level", "agency"),
                ("period", "2026-Y"),
                ("issuer", agency),
                ("number", &format!("{n}/BC-{agency}")),
                ("place", ""),
                ("date", "2026-12-05"),
                ("authority", "KT"),
                ("on_behalf_of", "BỘ TRƯỞNG"),
                ("position", "THỨ TRƯỞNG"),
                ("signer", "Nguyễn Văn Hùng"),
            ]),
            new_row(format!(
                "SELECT COUNT(*) FROM synthesis_versions WHERE created_by = '{username}' \
                 AND number = '{n}/BC-{agency}'"
            )),
        ),
        Endpoint::GrantRole
        | Endpoint::RevokeRole
        | Endpoint::DisableUser
        | Endpoint::UnlockUser
        | Endpoint::LogUserOutEverywhere
        | Endpoint::EndUserSession
        | Endpoint::RevokeUserToken => user_case(app, endpoint, agency, n).await,
        Endpoint::SetFocalPoints => plain(
            format!("/agencies/{agency}/focal-points"),
            form(&[(
                "focal_points",
                &format!("Đầu mối số {n} <daumoi{n}@example.gov.vn>"),
            )]),
            new_row(format!(
                "SELECT COUNT(*) FROM agency_contacts WHERE agency_code = '{agency}' \
                 AND email = 'daumoi{n}@example.gov.vn'"
            )),
        ),
        Endpoint::SaveTemplate => plain(
            "/admin/templates/synthesis".to_owned(),
            form(&[("body", dongbo_publish::template::SHIPPED_SYNTHESIS)]),
            new_row(format!(
                "SELECT COUNT(*) FROM document_templates WHERE name = 'synthesis' \
                 AND updated_by = '{username}'"
            )),
        ),
    }
}

/// A fresh user `staff{n}`, a reporter of `agency`, and the request of `endpoint` on them.
async fn user_case(app: &TestApp, endpoint: Endpoint, agency: &str, n: usize) -> Prepared {
    let username = format!("staff{n}");
    app.user(&username, "reporter", agency, false).await;
    let user_id = format!("(SELECT id FROM users WHERE username = '{username}')");
    let base = format!("/admin/users/{username}");
    let change = |from: i64, to: i64, sql: String| Effect::Count {
        count: sql,
        from: Some(from),
        to,
    };
    let (path, form, effect) = match endpoint {
        Endpoint::GrantRole => (
            format!("{base}/grant"),
            form(&[("role", "viewer"), ("agency", agency)]),
            change(
                0,
                1,
                format!(
                    "SELECT COUNT(*) FROM user_grants WHERE user_id = {user_id} \
                     AND role = 'viewer' AND agency_code = '{agency}'"
                ),
            ),
        ),
        Endpoint::RevokeRole => (
            format!("{base}/revoke"),
            form(&[("role", "reporter"), ("agency", agency)]),
            change(
                1,
                0,
                format!("SELECT COUNT(*) FROM user_grants WHERE user_id = {user_id}"),
            ),
        ),
        Endpoint::DisableUser => (
            format!("{base}/disabled"),
            form(&[("disabled", "true")]),
            change(
                0,
                1,
                format!("SELECT COUNT(*) FROM users WHERE id = {user_id} AND disabled = 1"),
            ),
        ),
        Endpoint::UnlockUser => {
            let now = dongbo_domain::clock::now();
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO login_lockouts (user_id, source, failures, locks, locked_until, \
                 updated_at) VALUES ({user_id}, '192.0.2.7', 0, 1, $1, $2)"
            )))
            .bind(
                (now + chrono::Duration::hours(1))
                    .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            )
            .bind(now.to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
            .execute(app.db.pool())
            .await
            .expect("lock the account");
            (
                format!("{base}/unlock"),
                Vec::new(),
                change(
                    1,
                    0,
                    format!("SELECT COUNT(*) FROM login_lockouts WHERE user_id = {user_id}"),
                ),
            )
        }
        Endpoint::LogUserOutEverywhere | Endpoint::EndUserSession => {
            let user = accounts::get_user(&app.db, &username)
                .await
                .unwrap()
                .unwrap();
            accounts::create_session(
                &app.db,
                user.id,
                &accounts::SessionPolicy::default(),
                dongbo_domain::clock::now(),
            )
            .await
            .expect("a session");
            let sessions = format!("SELECT COUNT(*) FROM sessions WHERE user_id = {user_id}");
            if endpoint == Endpoint::EndUserSession {
                let id: String = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                    "SELECT id FROM sessions WHERE user_id = {user_id}"
                )))
                .fetch_one(app.db.pool())
                .await
                .unwrap();
                (
                    format!("{base}/sessions/end"),
                    form(&[("session", &id)]),
                    change(1, 0, sessions),
                )
            } else {
                (
                    format!("{base}/logout-everywhere"),
                    Vec::new(),
                    change(1, 0, sessions),
                )
            }
        }
        _ => {
            let token = accounts::create_api_token(
                &app.db,
                "test",
                &username,
                "báo cáo tự động",
                dongbo_domain::clock::now(),
            )
            .await
            .expect("a token");
            (
                format!("{base}/tokens/{}/revoke", token.id),
                Vec::new(),
                change(
                    0,
                    1,
                    format!(
                        "SELECT COUNT(*) FROM api_tokens WHERE id = {} AND revoked = 1",
                        token.id
                    ),
                ),
            )
        }
    };
    Prepared {
        path,
        form,
        multipart: false,
        file: None,
        effect,
    }
}

/// A count that the request takes from 0 to 1.
fn new_row(count: String) -> Effect {
    Effect::Count {
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

/// A new indicator of 47/NQ-CP tracked by `agency` (indicator 4 of the import fixture, a
/// number against a range), for case `n`; its code.
async fn indicator_of(app: &TestApp, agency: &str, n: usize) -> String {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../import/tests/fixtures/indicators.md"
    ))
    .expect("the indicators fixture");
    let imported = dongbo_import::import_indicators(
        &bytes,
        "indicators.md",
        dongbo_import::Format::Auto,
        &dongbo_domain::Directory::bundled(),
        None,
    )
    .expect("import the indicators fixture");
    let mut indicator = imported
        .indicators
        .into_iter()
        .find(|i| i.code == "4")
        .expect("indicator 4");
    indicator.code = format!("9{n}");
    indicator.parent = None;
    indicator.tracking_agency = Some(agency.to_owned());
    dongbo_store::indicators::upsert(&app.db, app.program_id, &[indicator], "fixture")
        .await
        .expect("store a fixture indicator");
    format!("9{n}")
}

/// An open set of 47/NQ-CP whose members are still to be chosen, and its task.
async fn open_set(app: &TestApp) -> (String, i64) {
    let program = programs::get(&app.db, app.program_id)
        .await
        .unwrap()
        .unwrap();
    for task in &program.program.tasks {
        let pending = assignments::pending_for_task(&app.db, app.program_id, &task.code)
            .await
            .unwrap();
        if let Some(open) = pending.iter().find(|p| p.chosen_at.is_none()) {
            return (task.code.clone(), open.id);
        }
    }
    panic!("47/NQ-CP has an open set left to choose");
}

/// Whether the change an allowed request makes is there.
async fn took_effect(
    app: &TestApp,
    effect: &Effect,
    browser: &mut Browser,
    (before, after): (&common::Fingerprint, &common::Fingerprint),
) -> bool {
    match effect {
        Effect::PlanOf { agency } => plans::find(&app.db, app.program_id, agency)
            .await
            .unwrap()
            .is_some(),
        Effect::Unit { code } => plans::units(&app.db)
            .await
            .unwrap()
            .iter()
            .any(|u| &u.code == code),
        Effect::PlanTask { plan, tasks_before } => task_count(app, *plan).await == tasks_before + 1,
        Effect::UnitAssigned { plan, task, unit } => assignments::for_task(&app.db, *plan, task)
            .await
            .unwrap()
            .iter()
            .any(|a| &a.agency_code == unit),
        Effect::Report {
            assignment,
            period,
            status,
        } => reports::for_period(&app.db, *assignment, *period)
            .await
            .unwrap()
            .is_some_and(|r| r.summary.status == *status),
        Effect::ReportNowIs { report, status } => {
            reports::get(&app.db, *report).await.unwrap().summary.status == *status
        }
        Effect::OpenSetChosen {
            program,
            task,
            pending,
        } => assignments::pending_for_task(&app.db, *program, task)
            .await
            .unwrap()
            .iter()
            .any(|p| p.id == *pending && p.chosen_at.is_some()),
        Effect::Override {
            program,
            task,
            assignment,
            reason,
        } => dongbo_store::dashboard::progress_of_task(&app.db, *program, task)
            .await
            .unwrap()
            .get(assignment)
            .and_then(|p| p.manual.clone())
            .is_some_and(|(value, _, why)| value == 55 && &why == reason),
        Effect::OneMoreRow { table } => {
            let rows = |f: &common::Fingerprint| f.tables.get(*table).map_or(0, |t| t.0);
            rows(after) == rows(before) + 1
        }
        Effect::ChangeRequests { program, before } => {
            changes::for_program(&app.db, *program, None)
                .await
                .unwrap()
                .len()
                == before + 1
        }
        Effect::ChangeIs { request, status } => changes::get(&app.db, *request)
            .await
            .unwrap()
            .is_some_and(|r| r.status == *status),
        Effect::Password { username } => accounts::verify_login(
            &app.db,
            username,
            NEW_PASSWORD,
            // Not the tests' client's address: this check must not use its allowance.
            std::net::IpAddr::from([192, 0, 2, 1]),
            &accounts::LoginPolicy::default(),
            dongbo_domain::clock::now(),
        )
        .await
        .is_ok(),
        Effect::LoggedOut => {
            let response = browser.get("/my").await;
            response.status() == 303 && location(&response).starts_with("/login")
        }
        Effect::Count { count: sql, to, .. } => count(app, sql).await == *to,
    }
}

/// Sends `prepared` as `browser`, with `csrf` when given.
async fn send(browser: &mut Browser, prepared: &Prepared, csrf: Option<&str>) -> reqwest::Response {
    let fields: Vec<(&str, &str)> = prepared
        .form
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    if prepared.multipart {
        let path = match csrf {
            Some(token) => format!("{}&csrf={token}", prepared.path),
            None => prepared.path.clone(),
        };
        let file = prepared
            .file
            .as_deref()
            .map(|bytes| ("form.xlsx", "application/octet-stream", bytes));
        browser.post_multipart(&path, &fields, file).await
    } else {
        let mut with_token: Vec<(&str, &str)> = Vec::new();
        if let Some(token) = csrf {
            with_token.push(("csrf", token));
        }
        with_token.extend(fields);
        browser.post_raw(&prepared.path, &with_token).await
    }
}

/// Who sends a case.
struct Sender {
    label: String,
    browser: Browser,
    csrf: Option<String>,
    username: String,
}

/// Runs one case: prepares its fixture, sends it, and checks the answer and the database.
async fn case(
    app: &TestApp,
    ctx: &mut Context,
    row: &Row,
    agency: &str,
    sender: &mut Sender,
    expect: Expect,
) {
    let prepared = prepare(app, ctx, row.endpoint, agency, &sender.username).await;
    let what = format!(
        "{} about {agency} by {} on {}",
        row.route, sender.label, app.backend
    );
    let before = app.fingerprint().await;
    let counted = match &prepared.effect {
        Effect::Count {
            count: sql,
            from: Some(_),
            ..
        } => Some(count(app, sql).await),
        _ => None,
    };
    let response = send(&mut sender.browser, &prepared, sender.csrf.as_deref()).await;
    let status = response.status().as_u16();
    let to = location(&response);
    let after = app.fingerprint().await;
    match expect {
        Expect::Allowed => {
            assert_eq!(status, 303, "{what}: allowed, so done and sent on");
            assert!(
                !to.starts_with("/login?next="),
                "{what}: allowed, not sent to log in first"
            );
            if let Effect::Count {
                count: sql,
                from: Some(from),
                ..
            } = &prepared.effect
            {
                assert_eq!(counted, Some(*from), "{what}: before it, {sql}");
            }
            assert!(
                !before.changed(&after).is_empty(),
                "{what}: allowed, so the database changed"
            );
            assert!(
                took_effect(
                    app,
                    &prepared.effect,
                    &mut sender.browser,
                    (&before, &after)
                )
                .await,
                "{what}: allowed, so its change is there"
            );
        }
        Expect::Refused(expected) => {
            assert_eq!(status, expected, "{what}: refused");
            assert_eq!(
                before.changed(&after),
                Vec::<String>::new(),
                "{what}: refused, so nothing changed"
            );
        }
        Expect::LoginFirst => {
            assert_eq!(status, 303, "{what}: anonymous");
            let path = prepared.path.split('?').next().unwrap_or_default();
            assert_eq!(
                to,
                format!("/login?next={path}"),
                "{what}: anonymous, sent to log in and back"
            );
            assert_eq!(
                before.changed(&after),
                Vec::<String>::new(),
                "{what}: anonymous, so nothing changed"
            );
        }
        Expect::Home => {
            assert_eq!((status, to.as_str()), (303, "/"), "{what}: anonymous");
            assert_eq!(
                before.changed(&after),
                Vec::<String>::new(),
                "{what}: anonymous, so nothing changed"
            );
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Allowed,
    /// Refused with this status (403, or 404 for a record the caller may not read).
    Refused(u16),
    LoginFirst,
    Home,
}

/// The three users of `role`: on its home agency, on an agency elsewhere, on the Government.
async fn users_of(app: &TestApp, role: &str) {
    app.user(&format!("{role}.home"), role, home_agency(role), false)
        .await;
    app.user(&format!("{role}.elsewhere"), role, ELSEWHERE, false)
        .await;
    app.user(&format!("{role}.cp"), role, COORDINATOR, false)
        .await;
}

async fn sender(app: &TestApp, username: &str, label: String) -> Sender {
    let (browser, csrf) = app.session(username).await;
    Sender {
        label,
        browser,
        csrf: Some(csrf),
        username: username.to_owned(),
    }
}

#[tokio::test]
async fn every_endpoint_answers_every_role_inside_and_outside_its_subtree_as_specified() {
    for app in apps().await {
        let mut ctx = Context {
            counter: 0,
            used: HashSet::new(),
            proposed: HashSet::new(),
        };
        for role in ROLES {
            users_of(&app, role).await;
        }
        let mut cases = 0;
        for row in ENDPOINTS.iter().filter(|r| r.on != On::Nobody) {
            for role in ROLES {
                // Inside: the user's grant covers the agency asked about; outside: it does not.
                let (inside, outside, agency) = match row.on {
                    On::TheAgency => ("home", "elsewhere", home_agency(role)),
                    _ => ("cp", "home", COORDINATOR),
                };
                for (scope, covered) in [(outside, false), (inside, true)] {
                    let username = format!("{role}.{scope}");
                    let mut who = sender(&app, &username, format!("{role} on {scope}")).await;
                    let expect = if covered && may(role, row.needs) {
                        Expect::Allowed
                    } else if covered {
                        Expect::Refused(403)
                    } else {
                        Expect::Refused(outside_status(row, role))
                    };
                    case(&app, &mut ctx, row, agency, &mut who, expect).await;
                    cases += 1;
                }
            }
        }
        // Acting on one's own account needs only a login, in any role.
        for row in ENDPOINTS.iter().filter(|r| r.on == On::Nobody) {
            assert_eq!(row.needs, Needs::OwnAccount);
            for role in ROLES {
                let username = format!("{role}.elsewhere");
                let mut who = sender(&app, &username, role.to_owned()).await;
                case(&app, &mut ctx, row, "", &mut who, Expect::Allowed).await;
                cases += 1;
            }
        }
        let own = ENDPOINTS.iter().filter(|r| r.on == On::Nobody).count();
        assert_eq!(
            cases,
            (ENDPOINTS.len() - own) * ROLES.len() * 2 + own * ROLES.len()
        );
    }
}

#[tokio::test]
async fn anonymous_visitors_and_posts_without_the_csrf_token_change_nothing() {
    for app in apps().await {
        let mut ctx = Context {
            counter: 0,
            used: HashSet::new(),
            proposed: HashSet::new(),
        };
        app.user("quan.tri", "admin", "CP", false).await;
        app.user("khac", "admin", "CP", false).await;
        for row in ENDPOINTS {
            // The admin on the Government may do everything: only the token is missing.
            let agency = match row.on {
                On::TheAgency => home_agency("reporter"),
                On::Coordinator => COORDINATOR,
                On::Nobody => "",
            };
            let mut anonymous = Sender {
                label: "anonymous".into(),
                browser: app.browser(),
                csrf: None,
                username: String::new(),
            };
            let expect = match row.anonymous {
                Anonymous::ToLogin => Expect::LoginFirst,
                Anonymous::Home => Expect::Home,
            };
            case(&app, &mut ctx, row, agency, &mut anonymous, expect).await;

            let mut without = sender(&app, "quan.tri", "an admin without the token".into()).await;
            without.csrf = None;
            case(
                &app,
                &mut ctx,
                row,
                agency,
                &mut without,
                Expect::Refused(403),
            )
            .await;

            // Another session's token is no better than none.
            let (_, other_token) = app.session("khac").await;
            let mut forged = sender(
                &app,
                "quan.tri",
                "an admin with another session's token".into(),
            )
            .await;
            forged.csrf = Some(other_token);
            case(
                &app,
                &mut ctx,
                row,
                agency,
                &mut forged,
                Expect::Refused(403),
            )
            .await;
        }
    }
}

/// The POST routes of the pages, read from the router's source (`crates/web/src/pages/mod.rs`
/// and the application's `lib.rs`) as the compiler reads it: each `.route("path", …)` whose
/// handlers include a `post(…)`.
fn page_post_routes() -> Vec<String> {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut routes = Vec::new();
    for file in ["pages/mod.rs", "lib.rs"] {
        let text = std::fs::read_to_string(src.join(file)).expect("the router's source");
        for declared in text.split(".route(").skip(1) {
            // One route's declaration ends where the next method of the router begins.
            let declaration = declared
                .split("\n        .")
                .next()
                .expect("a route's declaration");
            let path = declaration
                .split('"')
                .nth(1)
                .expect("a route's path comes first, as a literal");
            if declaration.contains("post(") {
                routes.push(path.to_owned());
            }
        }
    }
    routes
}

/// POST routes with no row of `ENDPOINTS`, and where they are tested instead: the login form
/// is for those without a session, so no role decides it.
const TESTED_ELSEWHERE: &[(&str, &str)] = &[
    // System-wide, not on an agency: an administrator of the whole system only, refused to a
    // ministry's administrator and a reporter, with its refusals beside their fields.
    (
        "/admin/sign-in",
        "sign_in_settings::an_administrator_requires_the_organisations_account_from_the_page",
    ),
    (
        "/login",
        "a_login_without_its_token_or_with_a_forged_one_opens_no_session",
    ),
    // The library's forms: its own matrix of roles × owner agency (tests/library.rs), since
    // they act on items, not on a program's records.
    (
        "/library/items",
        "library::only_a_librarian_or_admin_of_the_owner_agency_adds_changes_or_deletes_an_item",
    ),
    (
        "/library/items/{id}",
        "library::only_a_librarian_or_admin_of_the_owner_agency_adds_changes_or_deletes_an_item",
    ),
    (
        "/library/items/{id}/delete",
        "library::only_a_librarian_or_admin_of_the_owner_agency_adds_changes_or_deletes_an_item",
    ),
    (
        "/library/items/{id}/cite",
        "library::an_item_is_cited_only_in_a_report_its_reporter_writes_and_shows_on_both_pages",
    ),
    (
        "/library/topics",
        "library::an_administrator_of_the_government_adds_and_renames_topics_and_no_one_else_may",
    ),
    (
        "/library/items/{id}/files",
        "library::a_librarian_attaches_a_document_whose_text_is_then_found_and_a_bad_file_changes_nothing",
    ),
    (
        "/library/items/{id}/files/{position}/delete",
        "library::a_librarian_attaches_a_document_whose_text_is_then_found_and_a_bad_file_changes_nothing",
    ),
    // The pull sources: who may register, enable or poll an agency's source.
    (
        "/library/sources",
        "library::only_a_librarian_or_admin_of_the_owner_agency_registers_enables_or_polls_a_source",
    ),
    (
        "/library/sources/{id}/enable",
        "library::only_a_librarian_or_admin_of_the_owner_agency_registers_enables_or_polls_a_source",
    ),
    (
        "/library/sources/{id}/poll",
        "library::only_a_librarian_or_admin_of_the_owner_agency_registers_enables_or_polls_a_source",
    ),
    (
        "/programs/{id}/tasks/{code}/topics",
        "library::a_task_page_lists_the_items_on_its_topics_and_its_coordinator_tags_it",
    ),
    (
        "/library/sources/{id}/visibility",
        "library::only_a_librarian_or_admin_of_the_owner_agency_registers_enables_or_polls_a_source",
    ),
    (
        "/library/duplicates/{id}/merge",
        "library::only_who_may_edit_both_items_sees_and_decides_a_near_duplicate",
    ),
    // Answered by a page showing a first password once (200, not a redirect), or by the
    // creation of many: tested with every refusal in tests/admin_users.rs.
    (
        "/admin/users",
        "admin_users::a_ministry_administrator_manages_its_own_people_and_no_one_else",
    ),
    (
        "/admin/users/bulk",
        "admin_users::a_sheet_of_focal_points_is_created_all_or_nothing",
    ),
    (
        "/admin/users/{username}/password",
        "admin_users::a_ministry_administrator_manages_its_own_people_and_no_one_else",
    ),
    (
        "/library/duplicates/{id}/dismiss",
        "library::only_who_may_edit_both_items_sees_and_decides_a_near_duplicate",
    ),
];

#[test]
fn every_post_route_of_the_pages_has_a_row_of_the_matrix() {
    let routes = page_post_routes();
    assert!(
        routes.len() >= 20,
        "the router's POST routes were found: {routes:?}"
    );
    let rows: Vec<&str> = ENDPOINTS
        .iter()
        .map(|r| {
            let path = r.route.strip_prefix("POST ").expect("a POST row");
            path.split(" (").next().unwrap_or(path)
        })
        .chain(TESTED_ELSEWHERE.iter().map(|(path, _)| *path))
        .collect();
    let without_row: Vec<&String> = routes
        .iter()
        .filter(|r| !rows.contains(&r.as_str()))
        .collect();
    assert!(
        without_row.is_empty(),
        "POST routes of the pages without a row in ENDPOINTS (say who may post them): \
         {without_row:?}"
    );
    let unrouted: Vec<&&str> = rows
        .iter()
        .filter(|r| !routes.iter().any(|route| route == *r))
        .collect();
    assert!(
        unrouted.is_empty(),
        "rows for routes the router does not have: {unrouted:?}"
    );
}

#[tokio::test]
async fn a_login_without_its_token_or_with_a_forged_one_opens_no_session() {
    for app in apps().await {
        app.user("bao.cao", "reporter", "BCA", false).await;
        let mut browser = app.browser();
        // The form sets the double-submit cookie the post must match.
        let page = browser.text("/login?next=/my").await;
        let token = common::hidden_value(&page, "csrf").expect("the login form's token");
        let sessions = "SELECT COUNT(*) FROM sessions";
        let before = app.fingerprint().await;
        let opened = count(&app, sessions).await;
        for (label, csrf) in [("no token", None), ("a forged token", Some("forged"))] {
            let mut form = vec![
                ("next", "/my"),
                ("username", "bao.cao"),
                ("password", common::PASSWORD),
            ];
            if let Some(csrf) = csrf {
                form.push(("csrf", csrf));
            }
            let response = browser.post_raw("/login", &form).await;
            let status = response.status();
            assert!(
                status == 403 || (csrf.is_none() && status.is_client_error()),
                "{label} on {}: refused, not {status}",
                app.backend
            );
            assert_eq!(count(&app, sessions).await, opened, "{label}: no session");
            assert!(
                !browser.cookies.iter().any(|(n, _)| n == "dongbo_session"),
                "{label}: no session cookie"
            );
        }
        assert_eq!(
            before.changed(&app.fingerprint().await),
            Vec::<String>::new(),
            "refused logins change nothing"
        );
        // The login form's own token opens one (so the refusals above were for the token).
        let page = browser.text("/login?next=/my").await;
        let token = common::hidden_value(&page, "csrf").unwrap_or(token);
        let response = browser
            .post_raw(
                "/login",
                &[
                    ("csrf", &token),
                    ("next", "/my"),
                    ("username", "bao.cao"),
                    ("password", common::PASSWORD),
                ],
            )
            .await;
        assert_eq!(response.status(), 303, "on {}", app.backend);
        assert_eq!(count(&app, sessions).await, opened + 1);
    }
}
