//! Agency reports of 47/NQ-CP for 2026 through the operations, on SQLite and on PostgreSQL.
//!
//! - The whole national round: every agency that answers for a task in the year sends one
//!   report covering all its tasks, its leader accepts it, and the coordinating office sees
//!   every agency complete and on time — the same figures whether counted in agency reports or
//!   in the task reports the dashboard reads.
//! - "Through the lead": a coordinating agency's contribution goes to the lead's form, and
//!   only lead tasks are owed upward.

use std::collections::BTreeSet;

use chrono::{TimeZone, Utc};
use dongbo_domain::access::{Grant, Role as UserRole};
use dongbo_domain::lang::Lang;
use dongbo_domain::{Clock, Directory};
use dongbo_programs::agency_reports::{self, AgencyDecision, PartDraft};
use dongbo_programs::context::{Actor, Caller, Error};
use dongbo_programs::reports::ReportStatus;
use dongbo_programs::{Programs, views};
use dongbo_store::{Db, User};

dongbo_testkit::backend_tests!(
    every_agency_sends_one_report_and_the_coordinator_sees_complete,
    through_the_lead_a_coordinators_contribution_shows_on_the_leads_form,
);

fn caller(username: &str, role: UserRole, agency: &str) -> Caller {
    Caller {
        user: User {
            id: 0,
            username: username.to_owned(),
            display_name: username.to_owned(),
            must_change_password: false,
            disabled: false,
            created_at: dongbo_domain::clock::now(),
            updated_at: dongbo_domain::clock::now(),
        },
        grants: vec![Grant {
            role,
            agency_code: agency.to_owned(),
        }],
    }
}

async fn every_agency_sends_one_report_and_the_coordinator_sees_complete(db: &Db) {
    let directory = Directory::bundled();
    let program_id = dongbo_testkit::load_47_assigned(db, &directory).await;
    let files = tempfile::tempdir().unwrap();
    let programs = Programs::new(db.clone(), directory, files.path().to_owned());
    // 10 December 2026, before the 2026 report's deadline (15 December).
    let clock = Clock::pinned(Utc.with_ymd_and_hms(2026, 12, 10, 3, 0, 0).unwrap());
    let stamp = programs.dashboard_stamp(program_id).await.unwrap();
    let agencies: BTreeSet<String> = programs
        .program_assignments(program_id, stamp)
        .await
        .unwrap()
        .values()
        .flatten()
        .map(|a| a.agency_code.clone())
        .collect();
    assert!(agencies.len() > 40, "{} agencies", agencies.len());

    let mut sent = 0;
    let mut tasks = 0;
    for agency in &agencies {
        let reporter = caller(&format!("bao-cao-{agency}"), UserRole::Reporter, agency);
        let actor = Actor {
            programs: &programs,
            caller: &reporter,
            lang: Lang::Vi,
            clock,
        };
        let view = match agency_reports::view(&actor, program_id, agency, None).await {
            Ok(view) => view,
            // An agency with nothing due in the year owes no report.
            Err(Error::NotFound) => continue,
            Err(other) => panic!("{agency}: {other:?}"),
        };
        assert_eq!(view.period_code(), "2026-Y");
        let drafts: Vec<PartDraft> = view
            .written_parts()
            .map(|part| {
                let mut content = part.content();
                content.results = format!(
                    "{agency} đã thực hiện nhiệm vụ {}",
                    part.assignment.task.code
                );
                content.progress = if part.is_lead() { 70 } else { 0 };
                PartDraft {
                    assignment_id: part.assignment.assignment.id,
                    content,
                    based_on: None,
                }
            })
            .collect();
        tasks += drafts.len();
        let outcome = agency_reports::write(&actor, program_id, agency, None, &drafts, None, true)
            .await
            .unwrap_or_else(|e| panic!("{agency}: {e:?}"));
        assert_eq!(outcome.status, ReportStatus::Submitted);
        let leader = caller(&format!("lanh-dao-{agency}"), UserRole::Approver, agency);
        let reviewer = Actor {
            caller: &leader,
            ..actor
        };
        let accepted = agency_reports::review(
            &reviewer,
            outcome.id,
            outcome.version,
            &AgencyDecision::Accept { comment: None },
        )
        .await
        .unwrap_or_else(|e| panic!("{agency}: {e:?}"));
        assert_eq!(accepted.status, ReportStatus::Accepted);
        sent += 1;
    }
    eprintln!("national round: {sent} agency reports covering {tasks} task reports");
    assert!(sent > 40, "{sent} agencies reported");
    // One report per agency instead of one per task: far fewer to send and review.
    assert!(
        tasks > 10 * sent,
        "{tasks} task reports in {sent} agency reports"
    );

    let figures = views::completeness(&programs, program_id, None, Some("2026-Y"), clock.today())
        .await
        .unwrap();
    let figures = &figures.computed.figures;
    assert_eq!(figures.agency_reports.expected as usize, sent);
    assert_eq!(figures.agency_reports.on_time as usize, sent);
    assert_eq!(figures.agency_reports.accepted as usize, sent);
    assert_eq!(figures.total.expected as usize, tasks);
    assert_eq!(figures.total.accepted as usize, tasks);
    assert!(figures.complete(), "every agency is complete");
    assert_eq!(figures.holding_back().count(), 0);
    // The dashboard's figures follow: every lead task's progress is the accepted 70 %.
    let facts = programs.dashboard_facts(program_id).await.unwrap();
    assert!(
        facts
            .iter()
            .filter(|f| f.role == dongbo_domain::Role::Lead && f.started)
            .all(|f| f.progress == 70),
        "accepted progress reached the facts"
    );
}

async fn through_the_lead_a_coordinators_contribution_shows_on_the_leads_form(db: &Db) {
    use dongbo_domain::{DeadlineRule, PeriodKind, Reporters, ReportingRegime, Role};
    let directory = Directory::bundled();
    let program_id = dongbo_testkit::load_47_assigned(db, &directory).await;
    dongbo_store::regimes::set(
        db,
        program_id,
        &ReportingRegime::periodic(
            PeriodKind::Annual,
            Reporters::ThroughLead,
            DeadlineRule::default(),
        ),
        "dieu-phoi",
    )
    .await
    .unwrap();
    let files = tempfile::tempdir().unwrap();
    let programs = Programs::new(db.clone(), directory, files.path().to_owned());
    let clock = Clock::pinned(Utc.with_ymd_and_hms(2026, 12, 10, 3, 0, 0).unwrap());
    // Task 2.1: the Ministry of Culture leads; a province coordinates.
    let coordinator = dongbo_store::assignments::for_task(db, program_id, "2.1")
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.role == Role::Coordinating)
        .expect("2.1 has coordinating agencies");
    let province = caller("bao-cao-tinh", UserRole::Reporter, &coordinator.agency_code);
    let actor = Actor {
        programs: &programs,
        caller: &province,
        lang: Lang::Vi,
        clock,
    };
    let view = agency_reports::view(&actor, program_id, &coordinator.agency_code, None)
        .await
        .unwrap();
    let part = view
        .parts
        .iter()
        .find(|p| p.assignment.assignment.id == coordinator.id)
        .expect("the coordinating task is on the province's report");
    assert!(part.to_lead, "under this regime it goes to the lead");
    let drafts: Vec<PartDraft> = view
        .written_parts()
        .map(|p| {
            let mut content = p.content();
            content.results = format!("Đóng góp cho nhiệm vụ {}", p.assignment.task.code);
            PartDraft {
                assignment_id: p.assignment.assignment.id,
                content,
                based_on: None,
            }
        })
        .collect();
    agency_reports::write(
        &actor,
        program_id,
        &coordinator.agency_code,
        None,
        &drafts,
        None,
        true,
    )
    .await
    .unwrap();
    // The ministry's form shows it under task 2.1.
    let ministry = caller("bao-cao-bo", UserRole::Reporter, "BVHTTDL");
    let lead_view = agency_reports::view(
        &Actor {
            caller: &ministry,
            ..actor
        },
        program_id,
        "BVHTTDL",
        None,
    )
    .await
    .unwrap();
    let task = lead_view
        .parts
        .iter()
        .find(|p| p.is_lead() && p.assignment.task.code == "2.1")
        .expect("the ministry leads 2.1");
    assert!(
        task.contributions
            .iter()
            .any(|c| c.agency_code == coordinator.agency_code
                && c.results == "Đóng góp cho nhiệm vụ 2.1"),
        "{:?}",
        task.contributions
    );
    // Upward, only lead tasks are owed: the province is expected only for tasks it leads.
    let figures = views::completeness(&programs, program_id, None, Some("2026-Y"), clock.today())
        .await
        .unwrap();
    assert!(
        figures
            .computed
            .figures
            .records
            .iter()
            .all(|r| r.role == Role::Lead),
        "coordinating tasks are not owed upward"
    );
}
