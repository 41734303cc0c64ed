//! Failed logins, counted in the database so that every server on it sees the same counts
//! (issue 17): a throttle per source, and a lockout per (account, source) with back-off.
//! [`crate::accounts::verify_login`] is their one user.
//!
//! - **Source.** The client's address as the web layer found it (behind a trusted proxy, from
//!   `X-Forwarded-For`). An IPv6 client is counted by its /64: one host usually holds a whole
//!   /64, and counting single addresses would give it 2⁶⁴ allowances.
//! - **Throttle.** At most [`LoginPolicy::source_failures`] failed logins per source per
//!   [`LoginPolicy::source_window`] (a fixed window that starts at the first failure). Each
//!   attempt is counted when it starts, so that concurrent attempts cannot slip past the limit,
//!   and taken back when it succeeds: only failures use the allowance, and an office behind one
//!   address can log in all morning. A throttled attempt is refused before anything about the
//!   account is read, so its answer says nothing about the account.
//! - **Lockout.** [`LoginPolicy::max_failures`] failures in a row on an account from one
//!   source lock the account *for that source* for [`LoginPolicy::lockout`], then twice as long
//!   at each new lock in a row, up to [`LoginPolicy::max_lockout`]. A stranger failing on
//!   someone's account from their own address locks only that address out; the owner logs in
//!   from theirs. A success from the source ends its count and its back-off.
//! - **Pruning.** Every failed login removes throttle windows that have ended and lockout rows
//!   untouched for [`LoginPolicy::forget_after`] and no longer locked (so a back-off is
//!   forgotten after a quiet day).

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use sqlx::AnyConnection;

use crate::audit::{timestamp, timestamp_from};
use crate::codec::col;
use crate::{Context, Db, StoreError};

/// When failed logins throttle a source and lock an account for a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginPolicy {
    /// Failures in a row on one account from one source that lock it for that source (5).
    pub max_failures: i64,
    /// How long the first lock lasts (1 minute); each further lock in a row lasts twice as
    /// long as the one before.
    pub lockout: Duration,
    /// The longest lock (1 hour).
    pub max_lockout: Duration,
    /// Failed logins a source may make per window before it is throttled (20).
    pub source_failures: i64,
    /// The throttle's window (5 minutes).
    pub source_window: Duration,
    /// How long an account's count for a source is kept without a new failure (1 day).
    pub forget_after: Duration,
}

impl Default for LoginPolicy {
    fn default() -> Self {
        LoginPolicy {
            max_failures: 5,
            lockout: Duration::minutes(1),
            max_lockout: Duration::hours(1),
            source_failures: 20,
            source_window: Duration::minutes(5),
            forget_after: Duration::days(1),
        }
    }
}

impl LoginPolicy {
    /// How long the lock after `earlier_locks` locks in a row lasts.
    pub fn lock_length(&self, earlier_locks: i64) -> Duration {
        let doublings = u32::try_from(earlier_locks.clamp(0, 30)).unwrap_or(30);
        self.lockout
            .checked_mul(1_i32 << doublings)
            .unwrap_or(self.max_lockout)
            .min(self.max_lockout)
    }
}

/// The key a source is counted by: an IPv4 address, or the /64 of an IPv6 one.
pub fn source_key(address: IpAddr) -> String {
    match address.to_canonical() {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let network = std::net::Ipv6Addr::from_bits(v6.to_bits() & !((1u128 << 64) - 1));
            format!("{network}/64")
        }
    }
}

/// A lock of an account for one source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginLock {
    pub username: String,
    /// The source's key (see [`source_key`]).
    pub source: String,
    pub locked_until: DateTime<Utc>,
    /// Locks in a row from this source, this one included.
    pub locks: i64,
}

/// Counts an attempt from `source` that is starting; `Some(until)` when the source has used
/// its allowance and is refused until then.
pub(crate) async fn start_attempt(
    db: &Db,
    source: &str,
    policy: &LoginPolicy,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    let doing = "counting a login attempt";
    let mut tx = db.begin_write(doing).await?;
    // A window that started this long ago has ended: the attempt starts a new one.
    let ended = timestamp(now - policy.source_window);
    let row = sqlx::query(
        "INSERT INTO login_throttle (source, window_start, failures) VALUES ($1, $2, 1) \
         ON CONFLICT (source) DO UPDATE SET \
            failures = CASE WHEN login_throttle.window_start <= $3 THEN 1 \
                            ELSE login_throttle.failures + 1 END, \
            window_start = CASE WHEN login_throttle.window_start <= $3 THEN $2 \
                                ELSE login_throttle.window_start END \
         RETURNING failures, window_start",
    )
    .bind(source)
    .bind(timestamp(now))
    .bind(&ended)
    .fetch_one(&mut *tx)
    .await
    .context(|| doing.to_owned())?;
    tx.commit()
        .await
        .context(|| format!("{doing}: committing"))?;
    let failures: i64 = col(&row, "failures", doing)?;
    if failures <= policy.source_failures {
        return Ok(None);
    }
    let started = timestamp_from(&col::<String>(&row, "window_start", doing)?, doing)?;
    Ok(Some(started + policy.source_window))
}

/// Takes back the count of an attempt that succeeded: only failures use the allowance.
pub(crate) async fn succeeded(
    conn: &mut AnyConnection,
    user_id: i64,
    source: &str,
    doing: &str,
) -> Result<(), StoreError> {
    give_back(conn, source, doing).await?;
    sqlx::query("DELETE FROM login_lockouts WHERE user_id = $1 AND source = $2")
        .bind(user_id)
        .bind(source)
        .execute(&mut *conn)
        .await
        .context(|| doing.to_owned())?;
    Ok(())
}

/// Takes back the count [`start_attempt`] took for `source` (a success, or an attempt that
/// could not be judged).
pub(crate) async fn give_back(
    conn: &mut AnyConnection,
    source: &str,
    doing: &str,
) -> Result<(), StoreError> {
    // A row this attempt made goes again, so a success leaves no trace in the table.
    for sql in [
        "DELETE FROM login_throttle WHERE source = $1 AND failures <= 1",
        "UPDATE login_throttle SET failures = failures - 1 WHERE source = $1",
    ] {
        sqlx::query(sql)
            .bind(source)
            .execute(&mut *conn)
            .await
            .context(|| doing.to_owned())?;
    }
    Ok(())
}

/// Until when account `user_id` is locked for `source`, if it is at `now`.
pub(crate) async fn locked_until(
    conn: &mut AnyConnection,
    user_id: i64,
    source: &str,
    now: DateTime<Utc>,
    doing: &str,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    let row = sqlx::query(
        "SELECT locked_until FROM login_lockouts \
         WHERE user_id = $1 AND source = $2 AND locked_until > $3",
    )
    .bind(user_id)
    .bind(source)
    .bind(timestamp(now))
    .fetch_optional(&mut *conn)
    .await
    .context(|| doing.to_owned())?;
    row.map(|row| timestamp_from(&col::<String>(&row, "locked_until", doing)?, doing))
        .transpose()
}

/// What a counted failure did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// Counted: this many in a row.
    Counted(i64),
    /// It locked the account for the source until then, the `locks`-th lock in a row.
    Locked {
        until: DateTime<Utc>,
        locks: i64,
        failures: i64,
    },
    /// The account was locked for the source meanwhile (by a concurrent failure): not counted.
    AlreadyLocked,
}

/// Counts a wrong password on account `user_id` from `source`, locking the account for the
/// source at the policy's count. Counted in SQL, so concurrent failures all count and lock
/// once.
pub(crate) async fn failed(
    conn: &mut AnyConnection,
    user_id: i64,
    source: &str,
    policy: &LoginPolicy,
    now: DateTime<Utc>,
    doing: &str,
) -> Result<Failure, StoreError> {
    let now_text = timestamp(now);
    let row = sqlx::query(
        "INSERT INTO login_lockouts (user_id, source, failures, locks, locked_until, updated_at) \
         VALUES ($1, $2, 1, 0, NULL, $3) \
         ON CONFLICT (user_id, source) DO UPDATE SET \
            failures = login_lockouts.failures + 1, updated_at = $3 \
         WHERE login_lockouts.locked_until IS NULL OR login_lockouts.locked_until <= $3 \
         RETURNING failures, locks",
    )
    .bind(user_id)
    .bind(source)
    .bind(&now_text)
    .fetch_optional(&mut *conn)
    .await
    .context(|| doing.to_owned())?;
    let Some(row) = row else {
        return Ok(Failure::AlreadyLocked);
    };
    let failures: i64 = col(&row, "failures", doing)?;
    if failures < policy.max_failures {
        return Ok(Failure::Counted(failures));
    }
    let earlier_locks: i64 = col(&row, "locks", doing)?;
    let until = now + policy.lock_length(earlier_locks);
    // The count starts again when the lock ends; the back-off remembers the lock.
    sqlx::query(
        "UPDATE login_lockouts SET failures = 0, locks = locks + 1, locked_until = $1 \
         WHERE user_id = $2 AND source = $3",
    )
    .bind(timestamp(until))
    .bind(user_id)
    .bind(source)
    .execute(&mut *conn)
    .await
    .context(|| doing.to_owned())?;
    Ok(Failure::Locked {
        until,
        locks: earlier_locks + 1,
        failures,
    })
}

/// Removes throttle windows that have ended and lockout rows forgotten (see the module
/// documentation).
pub(crate) async fn prune(
    conn: &mut AnyConnection,
    policy: &LoginPolicy,
    now: DateTime<Utc>,
    doing: &str,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM login_throttle WHERE window_start <= $1")
        .bind(timestamp(now - policy.source_window))
        .execute(&mut *conn)
        .await
        .context(|| doing.to_owned())?;
    sqlx::query(
        "DELETE FROM login_lockouts WHERE updated_at <= $1 \
         AND (locked_until IS NULL OR locked_until <= $2)",
    )
    .bind(timestamp(now - policy.forget_after))
    .bind(timestamp(now))
    .execute(&mut *conn)
    .await
    .context(|| doing.to_owned())?;
    Ok(())
}

/// The locks in force at `now`, by username then source.
pub async fn locks(db: &Db, now: DateTime<Utc>) -> Result<Vec<LoginLock>, StoreError> {
    let doing = "listing the login locks";
    let mut tx = db.read(doing).await?;
    let rows = sqlx::query(
        "SELECT u.username, l.source, l.locked_until, l.locks FROM login_lockouts l \
         JOIN users u ON u.id = l.user_id WHERE l.locked_until > $1",
    )
    .bind(timestamp(now))
    .fetch_all(&mut *tx)
    .await
    .context(|| doing.to_owned())?;
    let mut locks = rows
        .iter()
        .map(|row| {
            Ok(LoginLock {
                username: col(row, "username", doing)?,
                source: col(row, "source", doing)?,
                locked_until: timestamp_from(&col::<String>(row, "locked_until", doing)?, doing)?,
                locks: col(row, "locks", doing)?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    locks.sort_by(|a, b| (&a.username, &a.source).cmp(&(&b.username, &b.source)));
    Ok(locks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_double_from_a_minute_up_to_an_hour() {
        let policy = LoginPolicy::default();
        let minutes: Vec<i64> = (0..9)
            .map(|n| policy.lock_length(n).num_minutes())
            .collect();
        assert_eq!(minutes, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(policy.lock_length(i64::MAX).num_minutes(), 60);
    }

    #[test]
    fn an_ipv6_client_is_counted_by_its_64_and_an_ipv4_one_by_its_address() {
        let ip = |t: &str| t.parse::<IpAddr>().unwrap();
        assert_eq!(source_key(ip("192.0.2.7")), "192.0.2.7");
        assert_eq!(source_key(ip("::ffff:192.0.2.7")), "192.0.2.7");
        assert_eq!(source_key(ip("2001:db8:1:2:aaaa::1")), "2001:db8:1:2::/64");
        assert_eq!(
            source_key(ip("2001:db8:1:2:ffff::9")),
            source_key(ip("2001:db8:1:2::1"))
        );
    }
}
