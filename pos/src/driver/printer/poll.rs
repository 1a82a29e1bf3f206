//! Real-time status polling: `DLE EOT 1..4` sent as one cycle, the one-byte replies matched to
//! the requests in order, and a status published when a cycle completes.
//!
//! Replies carry no tag saying which `n` they answer, so the poller keeps every request it has
//! not seen answered, oldest first, and matches each reply to the oldest. A wire that stalls
//! and then delivers late keeps that alignment. Only when too many requests are outstanding is
//! the printer assumed to have lost them, and the queue dropped.

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
}

impl StatusPoller {
    pub(crate) fn new(initial: PrinterStatus) -> Self {
        StatusPoller {
            outstanding: VecDeque::new(),
            working: initial,
            sent_cycles: 0,
            done_cycles: 0,
        }
    }

    /// The bytes of a new cycle (`10 04 01` … `10 04 04`), recorded as sent at `now`. Returns
    /// the number the cycle will have when [`StatusPoller::completed`] reaches it.
    pub(crate) fn start_cycle(&mut self, now: Instant) -> (Vec<u8>, u64) {
        if self.outstanding.len() >= MAX_OUTSTANDING {
            tracing::debug!(
                outstanding = self.outstanding.len(),
                "status requests taken as lost"
            );
            self.forget();
        }
        let mut w = EscPosWriter::new();
        for kind in RealtimeStatusKind::ALL {
            w.realtime_status(kind);
            self.outstanding.push_back((kind, now));
        }
        self.sent_cycles += 1;
        (w.into_bytes(), self.sent_cycles)
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

    /// A `DLE EOT` reply byte. Returns the full status when it completes a cycle.
    pub(crate) fn on_reply(&mut self, byte: u8) -> Option<PrinterStatus> {
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
        let mut p = StatusPoller::new(PrinterStatus::default());
        let now = Instant::now();
        let (bytes, n1) = p.start_cycle(now);
        assert_eq!(bytes, [0x10, 4, 1, 0x10, 4, 2, 0x10, 4, 3, 0x10, 4, 4]);
        let (_, n2) = p.start_cycle(now);
        assert_eq!((n1, n2), (1, 2));
        for b in [0x12, 0x12, 0x12] {
            assert_eq!(p.on_reply(b), None);
        }
        assert_eq!(p.on_reply(0x12), Some(PrinterStatus::default()));
        assert_eq!(p.completed(), 1);
        let mut last = None;
        for b in [0x1A, 0x32, 0x12, 0x7E] {
            last = p.on_reply(b);
        }
        let s = last.unwrap();
        assert_eq!(s.paper, PaperLevel::Out);
        assert!(s.is_offline());
        assert!(!p.in_flight());
    }
}
