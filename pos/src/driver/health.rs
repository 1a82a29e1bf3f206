//! Whether a device answers: the health every driver reports, and the tracker that turns
//! observations into change events (reported once per change, not once per observation).

use tokio::sync::watch;

/// What the terminal knows about a device's link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeviceHealth {
    /// The device answers (or, for devices that never answer, the stream is open).
    Healthy,
    /// The stream is open but the device stopped answering (no status replies, no ACKs).
    NotResponding,
    /// The stream failed or ended; the driver reconnects when its port can.
    Disconnected,
}

impl DeviceHealth {
    /// Whether the device can be used.
    pub fn is_healthy(self) -> bool {
        self == DeviceHealth::Healthy
    }
}

/// Tracks one device's health and publishes it on a watch channel.
#[derive(Debug)]
pub(crate) struct HealthTracker {
    tx: watch::Sender<DeviceHealth>,
}

impl HealthTracker {
    /// Starts `Healthy` for a driver started on an open stream, `Disconnected` otherwise.
    pub(crate) fn new(connected: bool) -> (Self, watch::Receiver<DeviceHealth>) {
        let initial = if connected {
            DeviceHealth::Healthy
        } else {
            DeviceHealth::Disconnected
        };
        let (tx, rx) = watch::channel(initial);
        (HealthTracker { tx }, rx)
    }

    pub(crate) fn get(&self) -> DeviceHealth {
        *self.tx.borrow()
    }

    /// Record an observation; returns the new health when it changed.
    pub(crate) fn set(&mut self, health: DeviceHealth) -> Option<DeviceHealth> {
        if self.get() == health {
            return None;
        }
        tracing::info!(?health, "device health changed");
        self.tx.send_replace(health);
        Some(health)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_changes_only() {
        let (mut h, rx) = HealthTracker::new(true);
        assert_eq!(h.set(DeviceHealth::Healthy), None);
        assert_eq!(
            h.set(DeviceHealth::NotResponding),
            Some(DeviceHealth::NotResponding)
        );
        assert_eq!(h.set(DeviceHealth::NotResponding), None);
        assert_eq!(*rx.borrow(), DeviceHealth::NotResponding);
        assert_eq!(h.set(DeviceHealth::Healthy), Some(DeviceHealth::Healthy));
    }
}
