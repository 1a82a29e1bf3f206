//! The run's event log — what the engine did (shoppers, steps, measurements, errors) and what
//! the shared hosts decided, in order with virtual times — digested with SHA-256 like a
//! scenario's log, so `posrig load --check-determinism` can compare two runs event by event.

use posrig_sim::event::{
    first_divergence, Divergence, Event, EventBus, EventKind, EventLog, EventStream,
};

/// Events of one load run: the digest always, the events themselves when asked.
pub struct RunLog {
    bus: EventBus,
    stream: EventStream,
    log: EventLog,
}

impl RunLog {
    /// A log of everything emitted on `bus` from now on; `keep` keeps the events (for a
    /// determinism check) instead of only digesting them.
    pub fn new(bus: &EventBus, keep: bool) -> Self {
        let log = EventLog::digest_only();
        RunLog {
            bus: bus.clone(),
            stream: bus.subscribe(),
            log: if keep { log.keeping_events() } else { log },
        }
    }

    /// Emits an engine event stamped with the bus's (virtual or real) elapsed time.
    pub fn emit(&self, lane: Option<u32>, source: &str, kind: EventKind) {
        self.bus.emit(lane, source, kind);
    }

    /// Moves the events emitted so far into the log (call often: the stream is unbounded).
    pub fn drain(&mut self) {
        while let Ok(e) = self.stream.try_recv() {
            // A digest-only log cannot fail to write.
            let _ = self.log.record(&e);
        }
    }

    /// The digest and (when kept) the events.
    pub fn finish(mut self) -> (String, u64, Vec<Event>) {
        self.drain();
        let digest = self.log.digest();
        let n = self.log.len();
        let events = self.log.events().map(<[Event]>::to_vec).unwrap_or_default();
        (digest, n, events)
    }
}

/// The first event at which two runs' logs differ, described for people: its index, virtual
/// time and both versions.
pub fn describe_divergence(left: &[Event], right: &[Event]) -> Option<String> {
    let d: Divergence = first_divergence(left, right)?;
    let at = d
        .left
        .as_ref()
        .or(d.right.as_ref())
        .map(|e| e.at_us)
        .unwrap_or_default();
    Some(format!(
        "first divergence at event {} (virtual time {:.6} s):\n  run 1: {}\n  run 2: {}",
        d.index,
        at as f64 / 1e6,
        d.left
            .as_ref()
            .map_or("<end of log>".into(), Event::canonical_json),
        d.right
            .as_ref()
            .map_or("<end of log>".into(), Event::canonical_json),
    ))
}
