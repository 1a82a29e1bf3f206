//! The host's observer — the one place where requests, decisions and round-trip times leave the
//! acquirer (for the event bus, logs, or a test).

use std::time::Duration;

use crate::event::{Emitter, EventKind, FrameDir};

/// What the acquirer reports. Nothing passed here ever holds a full PAN.
pub trait HostObserver: Send + Sync + 'static {
    /// A request was received and decoded: MTI, STAN, terminal id, a short summary.
    fn request(&self, mti: &str, stan: &str, terminal_id: &str, summary: &str);
    /// The host decided on a request (`code` is field 39, `detail` says why).
    fn decision(&self, mti: &str, stan: &str, code: &str, detail: &str);
    /// Request fully received → response written, on the host's wire.
    fn host_rtt(&self, rtt: Duration);
    /// Anything else worth recording (a closed bad connection, a rule firing).
    fn note(&self, text: &str);
}

/// An observer that records nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoObserver;

impl HostObserver for NoObserver {
    fn request(&self, _: &str, _: &str, _: &str, _: &str) {}
    fn decision(&self, _: &str, _: &str, _: &str, _: &str) {}
    fn host_rtt(&self, _: Duration) {}
    fn note(&self, _: &str) {}
}

/// Events on the sim bus: requests as `Frame { dir: in }`, decisions as `HostDecision`,
/// `host_rtt` as a `Measurement`, notes as `Note`.
impl HostObserver for Emitter {
    fn request(&self, mti: &str, stan: &str, terminal_id: &str, summary: &str) {
        self.emit(EventKind::Frame {
            dir: FrameDir::In,
            summary: format!("{mti} STAN {stan} from {terminal_id}: {summary}"),
        });
    }

    fn decision(&self, mti: &str, stan: &str, code: &str, detail: &str) {
        self.emit(EventKind::HostDecision {
            mti: mti.to_owned(),
            stan: stan.to_owned(),
            code: code.to_owned(),
            detail: detail.to_owned(),
        });
    }

    fn host_rtt(&self, rtt: Duration) {
        self.emit(EventKind::Measurement {
            op: "host_rtt".to_owned(),
            latency_us: u64::try_from(rtt.as_micros()).unwrap_or(u64::MAX),
        });
    }

    fn note(&self, text: &str) {
        self.emit(EventKind::Note {
            text: text.to_owned(),
        });
    }
}
