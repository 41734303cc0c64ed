//! The persistent job queue on SQLite and on PostgreSQL: enqueue once per key, one claimer
//! per job even when workers race, leases that expire, retries with back-off, and giving up.
//! Time is passed in: nothing here waits.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, TimeZone, Utc};
use dongbo_store::Db;
use dongbo_store::jobs::{self, Enqueued, FailOutcome, JobStatus, NewJob};

dongbo_testkit::backend_tests!(
    enqueuing_the_same_key_twice_keeps_one_job,
    a_job_waits_for_its_time_and_is_claimed_once,
    concurrent_claimers_never_get_the_same_job,
    a_running_job_whose_lease_expired_is_claimed_again,
    a_failed_attempt_is_retried_after_its_back_off,
    a_job_fails_for_good_after_its_last_attempt,
    a_worker_that_lost_its_lease_cannot_overwrite_the_new_claim,
    a_job_whose_worker_died_on_the_last_attempt_is_given_up,
    a_worker_claims_only_the_kinds_it_handles,
);

fn at(hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, hour, minute, 0).unwrap()
}

fn lease() -> Duration {
    Duration::minutes(5)
}

async fn enqueuing_the_same_key_twice_keeps_one_job(db: &Db) {
    let payload = serde_json::json!({ "agency_code": "BNG" });
    let first = jobs::enqueue(db, "test", "k1", &payload, at(9, 0))
        .await
        .unwrap();
    let second = jobs::enqueue(db, "test", "k1", &serde_json::json!({}), at(10, 0))
        .await
        .unwrap();
    assert!(matches!(first, Enqueued::New(_)));
    assert_eq!(second, Enqueued::Existing(first.id()));
    assert_eq!(jobs::queue_depth(db).await.unwrap(), 1);
    let job = jobs::get(db, first.id()).await.unwrap().unwrap();
    assert_eq!(job.payload, payload, "the first enqueue's payload is kept");
    assert_eq!(job.run_at, at(9, 0));
    assert_eq!(job.status, JobStatus::Queued);
    assert_eq!(job.attempts, 0);

    // A key stays taken after its job is done: the work is not done again.
    let claimed = jobs::claim(db, at(9, 0), lease()).await.unwrap().unwrap();
    assert!(jobs::complete(db, &claimed, at(9, 1)).await.unwrap());
    let again = jobs::enqueue(db, "test", "k1", &payload, at(11, 0))
        .await
        .unwrap();
    assert_eq!(again, Enqueued::Existing(first.id()));
    assert_eq!(jobs::queue_depth(db).await.unwrap(), 0);

    let many = jobs::enqueue_many(
        db,
        &[
            NewJob::new("test", "k1", payload.clone(), at(9, 0)),
            NewJob::new("test", "k2", payload.clone(), at(9, 0)),
            NewJob::new("test", "k2", payload.clone(), at(9, 0)),
        ],
    )
    .await
    .unwrap();
    assert_eq!(many[0], Enqueued::Existing(first.id()));
    assert!(many[1].is_new());
    assert_eq!(many[2], Enqueued::Existing(many[1].id()));
}

async fn a_job_waits_for_its_time_and_is_claimed_once(db: &Db) {
    let early = jobs::enqueue(db, "test", "early", &serde_json::json!(1), at(9, 0))
        .await
        .unwrap();
    let late = jobs::enqueue(db, "test", "late", &serde_json::json!(2), at(12, 0))
        .await
        .unwrap();
    assert_eq!(jobs::claim(db, at(8, 59), lease()).await.unwrap(), None);

    let job = jobs::claim(db, at(10, 0), lease()).await.unwrap().unwrap();
    assert_eq!(job.id, early.id());
    assert_eq!(job.status, JobStatus::Running);
    assert_eq!(job.attempts, 1);
    assert_eq!(job.locked_until, Some(at(10, 5)));
    assert_eq!(
        jobs::claim(db, at(10, 0), lease()).await.unwrap(),
        None,
        "the late job is not due and the early one is taken"
    );
    assert!(jobs::complete(db, &job, at(10, 1)).await.unwrap());
    let done = jobs::get(db, early.id()).await.unwrap().unwrap();
    assert_eq!(done.status, JobStatus::Done);
    assert_eq!(done.finished_at, Some(at(10, 1)));
    assert_eq!(done.locked_until, None);
    assert_eq!(jobs::queue_depth(db).await.unwrap(), 1);

    let job = jobs::claim(db, at(12, 0), lease()).await.unwrap().unwrap();
    assert_eq!(job.id, late.id());
}

async fn concurrent_claimers_never_get_the_same_job(db: &Db) {
    let jobs_wanted: Vec<NewJob> = (0..24)
        .map(|i| NewJob::new("test", format!("job-{i}"), serde_json::json!(i), at(9, 0)))
        .collect();
    let enqueued = jobs::enqueue_many(db, &jobs_wanted).await.unwrap();
    let all: BTreeSet<i64> = enqueued.iter().map(|e| e.id()).collect();

    let workers: Vec<_> = (0..4)
        .map(|_| {
            let db = db.clone();
            tokio::spawn(async move {
                let mut mine = Vec::new();
                while let Some(job) = jobs::claim(&db, at(10, 0), lease()).await.unwrap() {
                    mine.push(job.id);
                    tokio::task::yield_now().await;
                }
                mine
            })
        })
        .collect();
    let mut claimed = Vec::new();
    for worker in workers {
        claimed.extend(worker.await.unwrap());
    }
    let distinct: BTreeSet<i64> = claimed.iter().copied().collect();
    assert_eq!(
        claimed.len(),
        distinct.len(),
        "a job was claimed twice: {claimed:?}"
    );
    assert_eq!(distinct, all, "every job was claimed");
}

async fn a_running_job_whose_lease_expired_is_claimed_again(db: &Db) {
    let id = jobs::enqueue(db, "test", "crash", &serde_json::json!(null), at(9, 0))
        .await
        .unwrap()
        .id();
    let first = jobs::claim(db, at(9, 0), lease()).await.unwrap().unwrap();
    // The worker "crashes": it never completes. Within the lease nobody else gets the job…
    assert_eq!(jobs::claim(db, at(9, 4), lease()).await.unwrap(), None);
    // …and once the lease has expired the next worker does.
    let second = jobs::claim(db, at(9, 5), lease()).await.unwrap().unwrap();
    assert_eq!(second.id, id);
    assert_eq!(second.attempts, first.attempts + 1);
    assert!(jobs::complete(db, &second, at(9, 6)).await.unwrap());
    assert_eq!(jobs::queue_depth(db).await.unwrap(), 0);
}

async fn a_failed_attempt_is_retried_after_its_back_off(db: &Db) {
    let id = jobs::enqueue(db, "test", "flaky", &serde_json::json!(null), at(9, 0))
        .await
        .unwrap()
        .id();
    let job = jobs::claim(db, at(9, 0), lease()).await.unwrap().unwrap();
    let retry_at = at(9, 0) + jobs::backoff(job.attempts);
    assert_eq!(retry_at, at(9, 1));
    let outcome = jobs::fail(db, &job, "connection refused", retry_at, at(9, 0))
        .await
        .unwrap();
    assert_eq!(outcome, FailOutcome::Retrying(retry_at));
    let stored = jobs::get(db, id).await.unwrap().unwrap();
    assert_eq!(stored.status, JobStatus::Queued);
    assert_eq!(stored.last_error.as_deref(), Some("connection refused"));
    assert_eq!(stored.attempts, 1);

    assert_eq!(
        jobs::claim(db, at(9, 0), lease()).await.unwrap(),
        None,
        "backing off"
    );
    let retried = jobs::claim(db, at(9, 1), lease()).await.unwrap().unwrap();
    assert_eq!(retried.attempts, 2);
    assert!(jobs::complete(db, &retried, at(9, 1)).await.unwrap());

    assert_eq!(jobs::backoff(2), Duration::minutes(2));
    assert_eq!(jobs::backoff(3), Duration::minutes(4));
    assert_eq!(jobs::backoff(40), Duration::hours(6), "capped");
}

async fn a_job_fails_for_good_after_its_last_attempt(db: &Db) {
    let mut job = NewJob::new("test", "doomed", serde_json::json!(null), at(9, 0));
    job.max_attempts = 3;
    let id = jobs::enqueue_many(db, &[job]).await.unwrap()[0].id();
    let mut now = at(9, 0);
    for attempt in 1..=3 {
        let job = jobs::claim(db, now, lease()).await.unwrap().unwrap();
        assert_eq!(job.attempts, attempt);
        let retry_at = now + jobs::backoff(attempt);
        let outcome = jobs::fail(db, &job, &format!("boom {attempt}"), retry_at, now)
            .await
            .unwrap();
        if attempt < 3 {
            assert_eq!(outcome, FailOutcome::Retrying(retry_at));
        } else {
            assert_eq!(outcome, FailOutcome::Failed);
        }
        now = retry_at;
    }
    let stored = jobs::get(db, id).await.unwrap().unwrap();
    assert_eq!(stored.status, JobStatus::Failed);
    assert_eq!(stored.last_error.as_deref(), Some("boom 3"));
    assert!(stored.finished_at.is_some());
    assert_eq!(
        jobs::claim(db, now + Duration::days(1), lease())
            .await
            .unwrap(),
        None
    );
    assert_eq!(jobs::queue_depth(db).await.unwrap(), 0);
}

async fn a_worker_that_lost_its_lease_cannot_overwrite_the_new_claim(db: &Db) {
    jobs::enqueue(db, "test", "slow", &serde_json::json!(null), at(9, 0))
        .await
        .unwrap();
    let slow = jobs::claim(db, at(9, 0), lease()).await.unwrap().unwrap();
    let fast = jobs::claim(db, at(9, 10), lease()).await.unwrap().unwrap();
    assert_eq!(slow.id, fast.id);
    // The slow worker wakes up after its lease expired: its results no longer count.
    assert!(!jobs::complete(db, &slow, at(9, 11)).await.unwrap());
    assert_eq!(
        jobs::fail(db, &slow, "late", at(9, 12), at(9, 11))
            .await
            .unwrap(),
        FailOutcome::Stale
    );
    let stored = jobs::get(db, fast.id).await.unwrap().unwrap();
    assert_eq!(stored.status, JobStatus::Running);
    assert!(jobs::complete(db, &fast, at(9, 12)).await.unwrap());
}

async fn a_job_whose_worker_died_on_the_last_attempt_is_given_up(db: &Db) {
    let mut job = NewJob::new("test", "poison", serde_json::json!(null), at(9, 0));
    job.max_attempts = 2;
    let id = jobs::enqueue_many(db, &[job]).await.unwrap()[0].id();
    jobs::claim(db, at(9, 0), lease()).await.unwrap().unwrap();
    jobs::claim(db, at(9, 5), lease()).await.unwrap().unwrap();
    // Both workers died; the second lease expires: no third run.
    assert_eq!(jobs::claim(db, at(9, 10), lease()).await.unwrap(), None);
    let stored = jobs::get(db, id).await.unwrap().unwrap();
    assert_eq!(stored.status, JobStatus::Failed);
    assert!(stored.last_error.unwrap().contains("lease expired"));
}

async fn a_worker_claims_only_the_kinds_it_handles(db: &Db) {
    let other = jobs::enqueue(db, "other", "o1", &serde_json::json!(null), at(9, 0))
        .await
        .unwrap();
    let mine = jobs::enqueue(db, "mine", "m1", &serde_json::json!(null), at(9, 30))
        .await
        .unwrap();
    let job = jobs::claim_of(db, &["mine"], at(10, 0), lease())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        job.id,
        mine.id(),
        "the older job of another kind is left alone"
    );
    assert_eq!(
        jobs::claim_of(db, &["mine"], at(10, 0), lease())
            .await
            .unwrap(),
        None
    );
    let job = jobs::claim(db, at(10, 0), lease()).await.unwrap().unwrap();
    assert_eq!(job.id, other.id());
}
