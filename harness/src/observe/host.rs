//! Host round trips as the host simulators time them on their end of the wire: request fully
//! read → response written. A [`posrig_sim::acquirer::HostObserver`] that keeps only those.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use posrig_sim::acquirer::HostObserver;

/// Round-trip times reported by a host, in the order the responses were written. Clones share
/// one list, so the world keeps one and hands a clone to each host.
#[derive(Debug, Clone, Default)]
pub struct RttSamples {
    rtts: Arc<Mutex<Vec<Duration>>>,
}

impl RttSamples {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records one round trip (called by the hosts through [`HostObserver::host_rtt`]).
    pub fn push(&self, rtt: Duration) {
        self.lock().push(rtt);
    }

    /// Takes every round trip recorded so far.
    pub fn take(&self) -> Vec<Duration> {
        std::mem::take(&mut *self.lock())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Duration>> {
        // A poisoned lock only means a host task panicked; the samples are still valid.
        self.rtts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Keeps round trips only; requests, decisions and notes reach the event bus by other paths.
impl HostObserver for RttSamples {
    fn request(&self, _: &str, _: &str, _: &str, _: &str) {}
    fn decision(&self, _: &str, _: &str, _: &str, _: &str) {}
    fn host_rtt(&self, rtt: Duration) {
        self.push(rtt);
    }
    fn note(&self, _: &str) {}
}
