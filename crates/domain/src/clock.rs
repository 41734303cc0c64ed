//! The clock: the one place that reads the system time, and what day it is in Vietnam.
//!
//! Every "now" of the server and the command line is [`now`] (or a [`Clock`]'s), and every
//! "today" is [`today`]: the Vietnam day (UTC+7), the day Decree 09 periods, windows and
//! deadlines are counted in. Two computations of "today" once disagreed between 17:00 and
//! 24:00 UTC, when the UTC date is still yesterday in Hà Nội; `clippy.toml` bans
//! `chrono::Utc::now` and `chrono::Local::now` everywhere else so that it stays one.
//!
//! Reading the clock is the only thing here that is not a pure function of its inputs; it is in
//! `domain` because every crate needs the same answer and `domain` is the one they all share.

use chrono::{DateTime, NaiveDate, Utc};

/// The time now, in UTC.
#[expect(
    clippy::disallowed_methods,
    reason = "the clock module is the one place allowed to read the system time"
)]
pub fn now() -> DateTime<Utc> {
    Utc::now()
}

/// The Vietnam day now: [`vietnam_day`] of [`now`].
pub fn today() -> NaiveDate {
    vietnam_day(now())
}

/// Vietnam's calendar day at `now` (UTC+7, no daylight saving time): the day periods,
/// windows and deadlines are counted in.
pub fn vietnam_day(now: DateTime<Utc>) -> NaiveDate {
    (now + chrono::Duration::hours(7)).date_naive()
}

/// The instant Vietnam day `day` begins (00:00 in Hà Nội, 17:00 UTC the day before).
pub fn vietnam_day_start(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(chrono::NaiveTime::MIN).and_utc() - chrono::Duration::hours(7)
}

/// Where a long-lived part (the server's state, the reminder runner) takes its time from: the
/// system clock, or an instant pinned by a test so that "now" and "today" are known.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Clock {
    /// `None`: the system clock.
    pinned: Option<DateTime<Utc>>,
}

impl Clock {
    /// The system clock.
    pub const fn system() -> Clock {
        Clock { pinned: None }
    }

    /// A clock that always reads `at`.
    pub const fn pinned(at: DateTime<Utc>) -> Clock {
        Clock { pinned: Some(at) }
    }

    /// The time now by this clock.
    pub fn now(self) -> DateTime<Utc> {
        self.pinned.unwrap_or_else(now)
    }

    /// The Vietnam day now by this clock.
    pub fn today(self) -> NaiveDate {
        vietnam_day(self.now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
    }

    #[test]
    fn the_vietnamese_day_starts_seven_hours_before_utc() {
        let evening = Utc.with_ymd_and_hms(2025, 12, 14, 17, 30, 0).unwrap();
        assert_eq!(vietnam_day(evening), date(2025, 12, 15));
        let morning = Utc.with_ymd_and_hms(2025, 12, 14, 16, 59, 0).unwrap();
        assert_eq!(vietnam_day(morning), date(2025, 12, 14));
    }

    #[test]
    fn a_pinned_clock_reads_its_instant_and_the_vietnam_day_of_it() {
        let late_evening_utc = Utc.with_ymd_and_hms(2025, 12, 31, 20, 0, 0).unwrap();
        let clock = Clock::pinned(late_evening_utc);
        assert_eq!(clock.now(), late_evening_utc);
        assert_eq!(clock.today(), date(2026, 1, 1));
    }

    #[test]
    fn the_system_clock_agrees_with_now() {
        let before = now();
        let read = Clock::system().now();
        let after = now();
        assert!(before <= read && read <= after);
        assert_eq!(Clock::default(), Clock::system());
    }
}
