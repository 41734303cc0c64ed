//! Crash safety of agency reports (báo cáo của cơ quan) in the real `dongbo serve`: agencies
//! send their one report for the year — every task of 47/NQ-CP they answer for, dozens of task
//! reports in one transaction — and their leaders return it, over and over, while the server
//! is killed with SIGKILL at seeded random moments (20 times) and started again. Afterwards
//! every acknowledged sending is stored exactly once and whole (the agency report's version and
//! each of its task reports' versions together, with the same text), an unanswered one is
//! whole or absent, and the audit chain verifies. On SQLite and on PostgreSQL.
//!
//! The seed is printed with every failure; `DONGBO_CRASH_SEED=…` repeats a run's choices.

mod common;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Rng, Server, Setup, data_folder, free_port};
use dongbo_store::Db;
use dongbo_store::agency_reports::{self, Key};
use dongbo_store::reports::{self, Action};

const KILLS: u64 = 20;
/// Agencies sending at once; each answers for many tasks of 47/NQ-CP.
const AGENCIES: [&str; 3] = ["BVHTTDL", "BNG", "BTC"];
const PERIOD: &str = "2026-Y";

#[test]
fn acknowledged_agency_reports_survive_sigkill_whole_and_once_on_sqlite() {
    let (_dir, data_dir) = data_folder();
    storm(&Setup {
        data_dir,
        database_url: None,
    });
}

#[test]
fn acknowledged_agency_reports_survive_sigkill_whole_and_once_on_postgresql() {
    let Some(url) = dongbo_testkit::postgres_database_url() else {
        return;
    };
    let (_dir, data_dir) = data_folder();
    storm(&Setup {
        data_dir,
        database_url: Some(url),
    });
}

/// What the clients were told, per agency: the markers of sendings acknowledged (303) and of
/// those left unanswered (the server died with the request).
#[derive(Debug, Default)]
struct Ledger {
    acknowledged: BTreeMap<String, Vec<String>>,
    unanswered: BTreeMap<String, Vec<String>>,
    returns: usize,
}

/// The value of the hidden input `name` in `html`.
fn hidden(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let at = html.find(&marker)? + marker.len();
    let tail = &html[at..];
    Some(tail[..tail.find('"')?].to_owned())
}

/// The names of the fields `t{id}_{suffix}`, in page order.
fn fields(html: &str, suffix: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find("name=\"t") {
        let tail = &rest[at + 6..];
        let Some(end) = tail.find('"') else { break };
        let name = &tail[..end];
        if name.ends_with(suffix) && !found.iter().any(|n| n == name) {
            found.push(name.to_owned());
        }
        rest = &tail[end..];
    }
    found
}

fn status(html: &str) -> Option<String> {
    let marker = "id=\"agency-report-status\" data-status=\"";
    let at = html.find(marker)? + marker.len();
    let tail = &html[at..];
    Some(tail[..tail.find('"')?].to_owned())
}

fn form_body(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            let v: String = v
                .bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                        (b as char).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect();
            format!("{k}={v}")
        })
        .collect::<Vec<_>>()
        .join("&")
}

async fn get(client: &reqwest::Client, url: &str, token: &str) -> Option<String> {
    let response = client.get(url).bearer_auth(token).send().await.ok()?;
    if !response.status().is_success() {
        return None;
    }
    response.text().await.ok()
}

enum Answer {
    Done,
    Refused,
    Unanswered,
}

async fn post(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    pairs: &[(String, String)],
) -> Answer {
    let sent = client
        .post(url)
        .bearer_auth(token)
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(form_body(pairs))
        .send()
        .await;
    match sent {
        Ok(r) if r.status().as_u16() == 303 => Answer::Done,
        Ok(r) if r.status().is_client_error() => Answer::Refused,
        _ => Answer::Unanswered,
    }
}

/// One agency: its reporter sends the year's report with a new marker in every task, its
/// leader returns it, again and again until told to stop.
#[expect(
    clippy::too_many_arguments,
    reason = "one client's whole setting, passed once"
)]
async fn agency_loop(
    client: reqwest::Client,
    base: String,
    program_id: i64,
    agency: &'static str,
    reporter: String,
    leader: String,
    ledger: Arc<Mutex<Ledger>>,
    stop: Arc<AtomicBool>,
) {
    let page = format!("{base}/programs/{program_id}/agencies/{agency}/report?period={PERIOD}");
    let mut round = 0u32;
    while !stop.load(Ordering::SeqCst) {
        let Some(html) = get(&client, &page, &reporter).await else {
            tokio::time::sleep(Duration::from_millis(30)).await;
            continue;
        };
        match status(&html).as_deref() {
            Some("submitted") => {
                let Some(review) = get(&client, &page, &leader).await else {
                    continue;
                };
                let Some(at) = review.find("action=\"/agency-reports/") else {
                    continue;
                };
                let tail = &review[at + 8..];
                let action = tail[..tail.find('"').unwrap()].to_owned();
                let seen = hidden(&review, "seen_version").unwrap_or_default();
                let pairs = [
                    ("action".to_owned(), "return".to_owned()),
                    ("seen_version".to_owned(), seen),
                    ("comment".to_owned(), "Bổ sung số liệu".to_owned()),
                ];
                if let Answer::Done =
                    post(&client, &format!("{base}{action}"), &leader, &pairs).await
                {
                    ledger.lock().unwrap().returns += 1;
                }
            }
            Some(_) => {
                round += 1;
                let marker = format!("[{agency}-{round}]");
                let mut pairs = vec![
                    ("action".to_owned(), "submit".to_owned()),
                    (
                        "based_on".to_owned(),
                        hidden(&html, "based_on").unwrap_or_default(),
                    ),
                ];
                for name in fields(&html, "_results") {
                    pairs.push((name, format!("Đã thực hiện {marker}")));
                }
                for name in fields(&html, "_progress") {
                    pairs.push((name, "50".to_owned()));
                }
                for name in fields(&html, "_based_on") {
                    let value = hidden(&html, &name).unwrap_or_default();
                    pairs.push((name, value));
                }
                match post(&client, &page, &reporter, &pairs).await {
                    Answer::Done => ledger
                        .lock()
                        .unwrap()
                        .acknowledged
                        .entry(agency.to_owned())
                        .or_default()
                        .push(marker),
                    Answer::Unanswered => ledger
                        .lock()
                        .unwrap()
                        .unanswered
                        .entry(agency.to_owned())
                        .or_default()
                        .push(marker),
                    Answer::Refused => {}
                }
            }
            None => tokio::time::sleep(Duration::from_millis(30)).await,
        }
    }
}

fn marker_in(text: &str) -> Option<String> {
    let start = text.find('[')?;
    let end = text[start..].find(']')? + start;
    Some(text[start..=end].to_owned())
}

fn storm(setup: &Setup) {
    let seed = common::seed(20_261_207);
    let run = format!("{} with DONGBO_CRASH_SEED={seed}", setup.backend());
    let port = free_port();
    let mut server = Some(Server::start(setup, port));
    let mut tokens = Vec::new();
    for agency in AGENCIES {
        let reporter =
            setup.user_with_token(&format!("bc-{}", agency.to_lowercase()), "reporter", agency);
        let leader =
            setup.user_with_token(&format!("ld-{}", agency.to_lowercase()), "approver", agency);
        tokens.push((agency, reporter, leader));
    }
    let base = format!("http://127.0.0.1:{port}");
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(async {
        let client = dongbo_library::http::client_builder(&dongbo_library::http::Trust::system())
            .timeout(Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client");
        let db = Db::connect(&setup.store_url()).await.expect("open the database");
        let program_id: i64 = sqlx::query_scalar("SELECT MIN(id) FROM programs")
            .fetch_one(db.pool())
            .await
            .expect("47/NQ-CP is loaded");
        db.close().await;
        let ledger = Arc::new(Mutex::new(Ledger::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let mut clients = Vec::new();
        for (agency, reporter, leader) in &tokens {
            clients.push(tokio::spawn(agency_loop(
                client.clone(),
                base.clone(),
                program_id,
                agency,
                reporter.clone(),
                leader.clone(),
                Arc::clone(&ledger),
                Arc::clone(&stop),
            )));
        }
        let mut rng = Rng::new(seed);
        for _ in 0..KILLS {
            tokio::time::sleep(Duration::from_millis(rng.below(500..1500))).await;
            if let Some(running) = server.take() {
                running.kill();
            }
            tokio::time::sleep(Duration::from_millis(rng.below(0..80))).await;
            let restart = setup.clone();
            server = Some(
                tokio::task::spawn_blocking(move || Server::start(&restart, port))
                    .await
                    .expect("restart the server"),
            );
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        stop.store(true, Ordering::SeqCst);
        for handle in clients {
            handle.await.expect("a client ends");
        }
        let ledger = std::mem::take(&mut *ledger.lock().unwrap());
        let acknowledged: usize = ledger.acknowledged.values().map(Vec::len).sum();
        // A sending of ~50 task reports is slow enough on PostgreSQL that most are cut by a
        // kill; each agency must still have got through.
        assert!(
            AGENCIES.iter().all(|a| ledger.acknowledged.contains_key(*a)),
            "{run}: only {acknowledged} agency reports were acknowledged: {ledger:?}"
        );

        let db = Db::connect(&setup.store_url()).await.expect("open the database");
        let mut task_versions = 0usize;
        for agency in AGENCIES {
            let key = Key {
                program_id,
                agency_code: agency,
                period: PERIOD,
            };
            let report = agency_reports::find(&db, key)
                .await
                .unwrap()
                .unwrap_or_else(|| panic!("{run}: {agency} has a report"));
            // Every sending is whole: each task's report holds a version of the same action
            // with the same marker, and no task version of a sending is left without it.
            let mut sent_markers: Vec<String> = Vec::new();
            for version in report.versions.iter().filter(|v| v.action == Action::Submit) {
                let mut markers = Vec::new();
                for item in &version.items {
                    let task = reports::get(&db, item.report_id).await.unwrap();
                    let held = task
                        .versions
                        .iter()
                        .find(|v| v.version == item.report_version)
                        .unwrap_or_else(|| panic!("{run}: {agency}: task version missing"));
                    assert_eq!(held.action, Action::Submit, "{run}: {agency}");
                    markers.push(marker_in(&held.content.results));
                    task_versions += 1;
                }
                let first = markers[0].clone().expect("a marker");
                assert!(
                    markers.iter().all(|m| m.as_deref() == Some(first.as_str())),
                    "{run}: {agency}: a sending mixes markers {markers:?}"
                );
                sent_markers.push(first);
            }
            // No task report was sent outside an agency report's sending.
            let items = &report.versions[0].items;
            for item in items {
                let task = reports::get(&db, item.report_id).await.unwrap();
                for v in task.versions.iter().filter(|v| v.action == Action::Submit) {
                    let m = marker_in(&v.content.results).unwrap_or_default();
                    assert!(
                        sent_markers.contains(&m),
                        "{run}: {agency}: task {} was sent as {m} without its agency report",
                        item.assignment_id
                    );
                }
            }
            for marker in ledger.acknowledged.get(agency).into_iter().flatten() {
                let count = sent_markers.iter().filter(|m| *m == marker).count();
                assert_eq!(count, 1, "{run}: {agency}: acknowledged {marker} stored {count} times");
            }
            for marker in ledger.unanswered.get(agency).into_iter().flatten() {
                let count = sent_markers.iter().filter(|m| *m == marker).count();
                assert!(count <= 1, "{run}: {agency}: unanswered {marker} stored {count} times");
            }
        }
        eprintln!(
            "{run}: {KILLS} kills; {acknowledged} agency reports acknowledged ({task_versions} task \
             versions checked), {} unanswered, {} returns",
            ledger.unanswered.values().map(Vec::len).sum::<usize>(),
            ledger.returns
        );
        db.close().await;
    });
    let verified = setup.ok(&["audit", "verify"]);
    assert!(!verified.trim().is_empty(), "{run}: {verified}");
    drop(server);
}
