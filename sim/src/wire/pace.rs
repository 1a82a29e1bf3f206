//! Line pacing — when each byte finishes crossing a line with a finite serialisation rate.

use super::impair::Pacing;
use tokio::time::Instant;

/// The state of one direction's line: a busy period that started at `busy_start` and has carried
/// `sent` bytes, free again at `free_at`.
///
/// Finish times are computed from the byte count since the busy period began, never by adding
/// per-byte durations, so pacing never drifts.
#[derive(Debug, Clone)]
pub(crate) struct Pacer {
    busy_start: Instant,
    sent: u64,
    free_at: Instant,
}

impl Pacer {
    pub(crate) fn new(now: Instant) -> Self {
        Self {
            busy_start: now,
            sent: 0,
            free_at: now,
        }
    }

    /// When `bytes` more bytes, available from `ready`, will have finished crossing the line.
    pub(crate) fn finish_time(&self, pacing: &Pacing, ready: Instant, bytes: u64) -> Instant {
        let (start, sent) = self.period_for(ready);
        start + pacing.duration_for(sent + bytes)
    }

    /// Records that `bytes` bytes, available from `ready`, were put on the line.
    pub(crate) fn commit(&mut self, pacing: &Pacing, ready: Instant, bytes: u64) {
        let (start, sent) = self.period_for(ready);
        self.busy_start = start;
        self.sent = sent + bytes;
        self.free_at = start + pacing.duration_for(self.sent);
    }

    /// Starts a new busy period when the rate changes, so the new rate applies from the moment
    /// the line is next free.
    pub(crate) fn rebase(&mut self) {
        self.busy_start = self.free_at;
        self.sent = 0;
    }

    fn period_for(&self, ready: Instant) -> (Instant, u64) {
        if ready >= self.free_at {
            (ready, 0)
        } else {
            (self.busy_start, self.sent)
        }
    }
}
