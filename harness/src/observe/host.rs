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
    /// Whether round trips are kept at all (a long load run that never takes them keeps none).
    keep: bool,
}

impl RttSamples {
    /// Keeps every round trip until [`RttSamples::take`].
    pub fn new() -> Self {
        RttSamples {
            rtts: Arc::default(),
            keep: true,
        }
    }

    /// Keeps nothing.
    pub fn discarding() -> Self {
        Self::default()
    }

    /// Records one round trip (called by the hosts through [`HostObserver::host_rtt`]).
    pub fn push(&self, rtt: Duration) {
        if self.keep {
            self.lock().push(rtt);
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_one_list_and_a_discarding_one_keeps_nothing() {
        let kept = RttSamples::new();
        kept.clone().host_rtt(Duration::from_secs(2));
        assert_eq!(kept.take(), [Duration::from_secs(2)]);
        assert!(kept.take().is_empty());
        let dropped = RttSamples::discarding();
        dropped.host_rtt(Duration::from_secs(2));
        assert!(dropped.take().is_empty());
    }
}
