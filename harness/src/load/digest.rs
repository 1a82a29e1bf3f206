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

#[cfg(test)]
mod tests {
    use super::*;

    fn event(at_us: u64, text: &str) -> Event {
        Event {
            at_us,
            lane: Some(1),
            source: "load".into(),
            kind: EventKind::Note { text: text.into() },
        }
    }

    #[test]
    fn the_first_diverging_event_is_shown_with_its_time_and_both_versions() {
        let a = vec![event(10, "a"), event(2_500_000, "b"), event(3_000_000, "c")];
        let mut b = a.clone();
        b[1] = event(2_500_000, "B");
        assert_eq!(describe_divergence(&a, &a), None);
        let d = describe_divergence(&a, &b).unwrap();
        assert!(
            d.starts_with("first divergence at event 1 (virtual time 2.500000 s)"),
            "{d}"
        );
        assert!(
            d.contains(r#""text":"b""#) && d.contains(r#""text":"B""#),
            "{d}"
        );
        let short = describe_divergence(&a, &a[..2]).unwrap();
        assert!(short.contains("run 2: <end of log>"), "{short}");
    }

    #[test]
    fn the_digest_covers_every_event_emitted_on_the_bus() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .unwrap();
        rt.block_on(async {
            let bus = EventBus::new(posrig_sim::clock::Clock::start(0));
            let digest = |texts: &[&str]| {
                let mut log = RunLog::new(&bus, true);
                for t in texts {
                    log.emit(Some(1), "load", EventKind::Note { text: (*t).into() });
                }
                log.drain();
                log.finish()
            };
            let (d1, n1, e1) = digest(&["x", "y"]);
            let (d2, _, _) = digest(&["x", "y"]);
            let (d3, _, _) = digest(&["x", "z"]);
            assert_eq!((n1, e1.len()), (2, 2));
            assert_eq!(d1, d2);
            assert_ne!(d1, d3);
        });
    }
}
