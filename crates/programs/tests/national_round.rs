//! The whole national round of 47/NQ-CP for 2026, on SQLite and on PostgreSQL: every agency
//! that answers for a task in the year sends one report covering all its tasks, its leader
//! accepts it, and the coordinating office sees every agency complete and on time — the same
//! figures whether counted in agency reports or in the task reports the dashboard reads.

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

dongbo_testkit::backend_tests!(every_agency_sends_one_report_and_the_coordinator_sees_complete);

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
