//! Event bus — fans events out to every subscriber without ever blocking an emitter or dropping
//! an event.

use super::kind::{Event, EventKind};
use crate::clock::Clock;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;

/// A cloneable handle for emitting events; each subscriber has its own unbounded queue.
///
/// Unbounded per-subscriber queues (rather than a `broadcast` ring) mean a slow log writer can
/// never lose events and an emitter never waits. Events are stamped with the bus clock's elapsed
/// time and delivered to every subscriber in one global order (the order of `emit` calls).
#[derive(Debug, Clone)]
pub struct EventBus {
    clock: Clock,
    subscribers: Arc<Mutex<Vec<mpsc::UnboundedSender<Arc<Event>>>>>,
}

/// A subscriber's stream of events; ends when every [`EventBus`] clone has been dropped.
pub type EventStream = mpsc::UnboundedReceiver<Arc<Event>>;

impl EventBus {
    /// A bus stamping events with `clock`.
    pub fn new(clock: Clock) -> Self {
        Self {
            clock,
            subscribers: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// The clock events are stamped with.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// A new subscriber receiving every event emitted from now on.
    pub fn subscribe(&self) -> EventStream {
        let (tx, rx) = mpsc::unbounded_channel();
        self.lock().push(tx);
        rx
    }

    /// Emits an event stamped with the current elapsed time.
    pub fn emit(&self, lane: Option<u32>, source: &str, kind: EventKind) {
        self.publish(Event {
            at_us: self.clock.elapsed_us(),
            lane,
            source: source.to_owned(),
            kind,
        });
    }

    /// Publishes a prebuilt event as is.
    pub fn publish(&self, event: Event) {
        let event = Arc::new(event);
        // Subscribers whose receiver was dropped are forgotten.
        self.lock().retain(|tx| tx.send(Arc::clone(&event)).is_ok());
    }

    /// A handle that emits under a fixed lane and source, for one component.
    pub fn emitter(&self, lane: Option<u32>, source: impl Into<String>) -> Emitter {
        Emitter {
            bus: self.clone(),
            lane,
            source: source.into(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<mpsc::UnboundedSender<Arc<Event>>>> {
        // A poisoned lock only means another emitter panicked; the list itself is still valid.
        self.subscribers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A component's way to emit events: a bus plus a fixed lane and source.
#[derive(Debug, Clone)]
pub struct Emitter {
    bus: EventBus,
    lane: Option<u32>,
    source: String,
}

impl Emitter {
    /// Emits `kind` now under this emitter's lane and source.
    pub fn emit(&self, kind: EventKind) {
        self.bus.emit(self.lane, &self.source, kind);
    }

    /// The source name events are emitted under.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The lane events are emitted under.
    pub fn lane(&self) -> Option<u32> {
        self.lane
    }

    /// The underlying bus.
    pub fn bus(&self) -> &EventBus {
        &self.bus
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test(start_paused = true)]
    async fn every_subscriber_gets_every_event_in_order_stamped_with_virtual_time() {
        let bus = EventBus::new(Clock::start(0));
        let mut a = bus.subscribe();
        let mut b = bus.subscribe();
        let printer = bus.emitter(Some(1), "lane1/printer");
        printer.emit(EventKind::Note { text: "one".into() });
        tokio::time::sleep(Duration::from_millis(250)).await;
        bus.emit(None, "acquirer", EventKind::Note { text: "two".into() });
        drop(printer);
        drop(bus);
        for rx in [&mut a, &mut b] {
            let e1 = rx.recv().await.unwrap();
            let e2 = rx.recv().await.unwrap();
            assert_eq!(
                (e1.at_us, e1.lane, e1.source.as_str()),
                (0, Some(1), "lane1/printer")
            );
            assert_eq!(
                (e2.at_us, e2.lane, e2.source.as_str()),
                (250_000, None, "acquirer")
            );
            assert!(
                rx.recv().await.is_none(),
                "stream ends when the bus is gone"
            );
        }
    }
}
