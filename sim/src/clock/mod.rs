//! Clock — all simulated time goes through tokio's clock, so a run is either real time or virtual
//! time, and calendar time is a configured epoch plus elapsed time.

mod calendar;
mod runtime;

pub use calendar::CalendarTime;
pub use runtime::{build_runtime, TimeMode};

use std::time::Duration;
use tokio::time::Instant;

/// A cheap, cloneable handle on the run's time.
///
/// Elapsed time is measured with [`tokio::time::Instant`], so under a paused (virtual) runtime it
/// is virtual time and under a normal runtime it is monotonic real time. Calendar time is the
/// configured epoch (Unix seconds) plus elapsed time; the host's wall clock is never consulted
/// after the start (see [`system_epoch_unix_secs`]).
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    start: Instant,
    epoch_unix_secs: i64,
}

impl Clock {
    /// Starts a clock now (tokio time) whose calendar reads `epoch_unix_secs` at the start.
    ///
    /// Must be called inside a tokio runtime with time enabled.
    pub fn start(epoch_unix_secs: i64) -> Self {
        Self {
            start: Instant::now(),
            epoch_unix_secs,
        }
    }

    /// Starts a clock at a fixed instant (useful when several components must share one origin).
    pub fn starting_at(start: Instant, epoch_unix_secs: i64) -> Self {
        Self {
            start,
            epoch_unix_secs,
        }
    }

    /// The tokio instant the run started at.
    pub fn start_instant(&self) -> Instant {
        self.start
    }

    /// The configured calendar epoch in Unix seconds.
    pub fn epoch_unix_secs(&self) -> i64 {
        self.epoch_unix_secs
    }

    /// Time elapsed since the run started.
    pub fn elapsed(&self) -> Duration {
        Instant::now().saturating_duration_since(self.start)
    }

    /// Time elapsed since the run started, in whole microseconds (the unit of event timestamps).
    pub fn elapsed_us(&self) -> u64 {
        u64::try_from(self.elapsed().as_micros()).unwrap_or(u64::MAX)
    }

    /// The tokio instant `offset` after the start of the run.
    pub fn at(&self, offset: Duration) -> Instant {
        self.start + offset
    }

    /// Calendar time now: epoch plus elapsed, truncated to whole seconds.
    pub fn now_calendar(&self) -> CalendarTime {
        CalendarTime::from_unix_secs(self.now_unix_secs())
    }

    /// Unix seconds now: epoch plus elapsed whole seconds.
    pub fn now_unix_secs(&self) -> i64 {
        let elapsed = i64::try_from(self.elapsed().as_secs()).unwrap_or(i64::MAX);
        self.epoch_unix_secs.saturating_add(elapsed)
    }
}

/// Reads the host's wall clock once, for a real-time run's calendar epoch.
///
/// This is the only place in `sim` that consults `SystemTime::now()`; virtual runs take their
/// epoch from configuration instead, so their receipts and ISO 8583 dates are reproducible.
pub fn system_epoch_unix_secs() -> i64 {
    match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn elapsed_and_calendar_follow_virtual_time() {
        // 2024-03-01 12:00:00 UTC
        let clock = Clock::start(1_709_294_400);
        assert_eq!(clock.elapsed_us(), 0);
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_eq!(clock.elapsed_us(), 1_500_000);
        tokio::time::sleep(Duration::from_secs(3600)).await;
        let cal = clock.now_calendar();
        assert_eq!(cal.to_string(), "2024-03-01T13:00:01Z");
    }
}
