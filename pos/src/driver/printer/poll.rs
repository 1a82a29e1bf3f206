//! Real-time status polling: `DLE EOT 1..4` sent as one cycle, the one-byte replies matched to
//! the requests in order, and a status published when a cycle completes.
//!
//! Replies carry no tag saying which `n` they answer, so the poller keeps every request it has
//! not seen answered, oldest first, and matches each reply to the oldest. A wire that stalls
//! and then delivers late keeps that alignment. Only when too many requests are outstanding is
//! the printer assumed to have lost them, and the queue dropped. Then the link resynchronises
//! the way an untagged serial protocol must: nothing is asked for a quiet period and whatever
//! arrives in it (late answers to the dropped requests) is ignored, so a late `n = 3` reply is
//! never read as the next cycle's `n = 1` — where it would say the drawer is open.

use std::collections::VecDeque;
use std::time::Duration;

use posrig_protocols::escpos::{EscPosWriter, PrinterStatus, RealtimeStatusKind};
use tokio::time::Instant;

/// Outstanding requests beyond which they are taken as lost (two cycles).
const MAX_OUTSTANDING: usize = 8;

#[derive(Debug)]
pub(crate) struct StatusPoller {
    outstanding: VecDeque<(RealtimeStatusKind, Instant)>,
    /// The status being assembled from the current cycle's replies.
    working: PrinterStatus,
    /// Cycles sent and cycles completed (or dropped), to tell a fresh status from an old one.
    sent_cycles: u64,
    done_cycles: u64,
    /// How long to stay quiet after dropping unanswered requests.
    quiet: Duration,
    /// While set and in the future, nothing is asked and replies are ignored.
    quiet_until: Option<Instant>,
}

impl StatusPoller {
    /// `quiet`: how long the link stays quiet to resynchronise after requests are taken as
    /// lost (the driver's reply timeout).
    pub(crate) fn new(initial: PrinterStatus, quiet: Duration) -> Self {
        StatusPoller {
            outstanding: VecDeque::new(),
            working: initial,
            sent_cycles: 0,
            done_cycles: 0,
            quiet,
            quiet_until: None,
        }
    }

    /// The bytes of a new cycle (`10 04 01` … `10 04 04`), recorded as sent at `now`, and the
    /// number the cycle will have when [`StatusPoller::completed`] reaches it. `Err(until)`
    /// while the link is resynchronising: ask again at `until`.
    pub(crate) fn start_cycle(&mut self, now: Instant) -> Result<(Vec<u8>, u64), Instant> {
        if let Some(until) = self.quiet_until {
            if now < until {
                return Err(until);
            }
            self.quiet_until = None;
        }
        if self.outstanding.len() >= MAX_OUTSTANDING {
            tracing::debug!(
                outstanding = self.outstanding.len(),
                "status requests taken as lost; resynchronising"
            );
            self.forget();
            let until = now + self.quiet;
            self.quiet_until = Some(until);
            return Err(until);
        }
        let mut w = EscPosWriter::new();
        for kind in RealtimeStatusKind::ALL {
            w.realtime_status(kind);
            self.outstanding.push_back((kind, now));
        }
        self.sent_cycles += 1;
        Ok((w.into_bytes(), self.sent_cycles))
    }

    /// Drop every outstanding request (a reconnect, or requests taken as lost).
    pub(crate) fn forget(&mut self) {
        self.outstanding.clear();
        self.done_cycles = self.sent_cycles;
    }

    /// Whether a cycle is waiting for replies.
    pub(crate) fn in_flight(&self) -> bool {
        !self.outstanding.is_empty()
    }

    /// Cycles sent so far.
    pub(crate) fn sent(&self) -> u64 {
        self.sent_cycles
    }

    /// Cycles completed (or given up) so far.
    pub(crate) fn completed(&self) -> u64 {
        self.done_cycles
    }

    /// When the oldest unanswered request is overdue.
    pub(crate) fn overdue_at(&self, reply_timeout: Duration) -> Option<Instant> {
        self.outstanding.front().map(|(_, at)| *at + reply_timeout)
    }

    /// A `DLE EOT` reply byte received at `now`. Returns the full status when it completes a
    /// cycle.
    pub(crate) fn on_reply(&mut self, byte: u8, now: Instant) -> Option<PrinterStatus> {
        if self.quiet_until.is_some_and(|until| now < until) {
            tracing::debug!(byte, "late status reply ignored while resynchronising");
            return None;
        }
        let Some((kind, _)) = self.outstanding.pop_front() else {
            tracing::debug!(byte, "unasked status reply ignored");
            return None;
        };
        if let Err(e) = self.working.apply_realtime_byte(kind, byte) {
            tracing::debug!(error = %e, "bad status reply");
        }
        if kind == RealtimeStatusKind::PaperSensor {
            self.done_cycles += 1;
            return Some(self.working);
        }
        None
    }

    /// A status learnt another way (an ASB frame): later cycles build on it.
    pub(crate) fn set_working(&mut self, status: PrinterStatus) {
        self.working = status;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use posrig_protocols::escpos::PaperLevel;

    #[test]
    fn a_cycle_completes_on_the_fourth_reply_and_keeps_alignment_across_cycles() {
        let mut p = StatusPoller::new(PrinterStatus::default(), QUIET);
        let now = Instant::now();
        let (bytes, n1) = p.start_cycle(now).unwrap();
        assert_eq!(bytes, [0x10, 4, 1, 0x10, 4, 2, 0x10, 4, 3, 0x10, 4, 4]);
        let (_, n2) = p.start_cycle(now).unwrap();
        assert_eq!((n1, n2), (1, 2));
        for b in [0x12, 0x12, 0x12] {
            assert_eq!(p.on_reply(b, now), None);
        }
        assert_eq!(p.on_reply(0x12, now), Some(PrinterStatus::default()));
        assert_eq!(p.completed(), 1);
        let mut last = None;
        for b in [0x1A, 0x32, 0x12, 0x7E] {
            last = p.on_reply(b, now);
        }
        let s = last.unwrap();
        assert_eq!(s.paper, PaperLevel::Out);
        assert!(s.is_offline());
        assert!(!p.in_flight());
    }

    const QUIET: Duration = Duration::from_secs(1);

    /// Epson, drawer closed (pin 3 HIGH), all clear: `16 12 12 12`.
    const CLOSED: [u8; 4] = [0x16, 0x12, 0x12, 0x12];

    #[test]
    fn late_replies_to_dropped_requests_are_not_read_as_the_next_cycle() {
        let mut p = StatusPoller::new(PrinterStatus::default(), QUIET);
        let t0 = Instant::now();
        // Cycle 1 half answered, then the wire goes slow; two more cycles pile up.
        p.start_cycle(t0).unwrap();
        p.on_reply(CLOSED[0], t0);
        p.on_reply(CLOSED[1], t0);
        p.start_cycle(t0 + Duration::from_millis(500)).unwrap();
        p.start_cycle(t0 + Duration::from_millis(1000)).unwrap();
        // Ten outstanding: taken as lost, and the link goes quiet.
        let until = p.start_cycle(t0 + Duration::from_millis(1500)).unwrap_err();
        assert_eq!(until, t0 + Duration::from_millis(2500));
        assert!(!p.in_flight());
        assert_eq!(p.completed(), p.sent(), "waiters are not left hanging");
        assert_eq!(
            p.start_cycle(t0 + Duration::from_millis(2000)),
            Err(until),
            "nothing is asked while quiet"
        );
        // The late replies (cycle 1's n=3 and n=4, then cycles 2 and 3) arrive while quiet.
        for b in [0x12, 0x12].into_iter().chain(CLOSED).chain(CLOSED) {
            assert_eq!(p.on_reply(b, t0 + Duration::from_millis(2100)), None);
        }
        // After the quiet period a fresh cycle lines up with its own replies.
        let (_, n) = p.start_cycle(until).unwrap();
        let mut last = None;
        for b in CLOSED {
            last = p.on_reply(b, until);
        }
        let status = last.expect("the fresh cycle completes");
        assert!(status.drawer_pin3_high, "drawer read as closed: {status:?}");
        assert_eq!(p.completed(), n);
    }
}
