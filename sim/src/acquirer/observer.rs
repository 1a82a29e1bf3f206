//! The host's observer — the one place where requests, decisions and round-trip times leave the
//! acquirer (for the event bus, logs, or a test).

use std::time::Duration;

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
