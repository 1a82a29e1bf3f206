//! Calendar time for records and receipts: the [`WallClock`] trait the POS stamps its journal and
//! receipts with. Whoever runs the POS supplies it, so virtual runs use a configured epoch plus
//! virtual elapsed time and never read the host's clock.

use std::fmt;
use std::sync::atomic::{AtomicI64, Ordering};

/// A calendar instant with second precision, in the store's local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime {
    /// Seconds since 1970-01-01 00:00:00 local time.
    pub unix_seconds: i64,
}

impl DateTime {
    /// The instant `unix_seconds` after the epoch.
    pub const fn from_unix(unix_seconds: i64) -> Self {
        DateTime { unix_seconds }
    }

    /// Year, month (1-12), day (1-31).
    pub fn date(self) -> (i64, u32, u32) {
        civil_from_days(self.unix_seconds.div_euclid(86_400))
    }

    /// Hour, minute, second.
    pub fn time(self) -> (u32, u32, u32) {
        let s = self.unix_seconds.rem_euclid(86_400) as u32;
        (s / 3600, s / 60 % 60, s % 60)
    }
}

impl fmt::Display for DateTime {
    /// `YYYY-MM-DD HH:MM:SS`, which also sorts correctly as text in the journal.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, mo, d) = self.date();
        let (h, mi, s) = self.time();
        write!(f, "{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
    }
}

/// Converts days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The source of calendar time for the POS.
pub trait WallClock: Send + Sync {
    /// The current calendar time.
    fn now(&self) -> DateTime;
}

/// A clock that stands still unless advanced: for tests and virtual time.
#[derive(Debug, Default)]
pub struct ManualClock {
    unix_seconds: AtomicI64,
}

impl ManualClock {
    /// A clock showing `start`.
    pub fn new(start: DateTime) -> Self {
        ManualClock {
            unix_seconds: AtomicI64::new(start.unix_seconds),
        }
    }

    /// Moves the clock forward by `seconds`.
    pub fn advance(&self, seconds: i64) {
        self.unix_seconds.fetch_add(seconds, Ordering::SeqCst);
    }
}

impl WallClock for ManualClock {
    fn now(&self) -> DateTime {
        DateTime::from_unix(self.unix_seconds.load(Ordering::SeqCst))
    }
}

/// The host's calendar, for the standalone `pos-terminal` process in real time. Never used in
/// virtual-time runs, whose calendar is a configured epoch plus tokio's elapsed time.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl WallClock for SystemClock {
    fn now(&self) -> DateTime {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        DateTime::from_unix(secs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_calendar_dates() {
        assert_eq!(DateTime::from_unix(0).to_string(), "1970-01-01 00:00:00");
        // 2025-03-01 is after a non-leap February.
        assert_eq!(
            DateTime::from_unix(1_740_787_200 + 3723).to_string(),
            "2025-03-01 01:02:03"
        );
        assert_eq!(
            DateTime::from_unix(951_782_400).to_string(),
            "2000-02-29 00:00:00"
        );
    }

    #[test]
    fn manual_clock_advances() {
        let c = ManualClock::new(DateTime::from_unix(10));
        c.advance(5);
        assert_eq!(c.now(), DateTime::from_unix(15));
    }
}
