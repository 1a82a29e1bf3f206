//! Event values — what happened, when (elapsed µs), on which lane, from which source.

use serde::{Deserialize, Serialize};

/// One observable thing that happened in a run.
///
/// Field order is the JSON field order (serde emits struct fields in declaration order), so the
/// canonical JSON line of an event is stable across builds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// Elapsed time since the run started, in microseconds.
    pub at_us: u64,
    /// The lane this event belongs to, if any (hosts and shared links have none).
    #[serde(default)]
    pub lane: Option<u32>,
    /// Stable name of the emitter, e.g. `"lane1/printer"`, `"acquirer"`, `"link/acquirer-primary"`.
    pub source: String,
    /// What happened.
    pub kind: EventKind,
}

impl Event {
    /// The canonical JSON line of this event (no trailing newline): the unit of the run digest.
    pub fn canonical_json(&self) -> String {
        serde_json::to_string(self).expect("an Event always serialises to JSON")
    }
}

/// Direction of a frame relative to the emitter (a device or host).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FrameDir {
    /// Received by the emitter.
    In,
    /// Sent by the emitter.
    Out,
}

/// What happened. Serialised with a `"type"` tag in snake case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum EventKind {
    /// A decoded frame on a device or host wire, summarised for humans and expectations.
    Frame { dir: FrameDir, summary: String },
    /// Something a person or the harness did (scan, insert card, close drawer, ...).
    Action { name: String, detail: String },
    /// A fault was injected (device fault or link impairment).
    FaultInjected { fault: String },
    /// A fault was cleared.
    FaultCleared { fault: String },
    /// A link changed state (`"up"`, `"partitioned"`, `"repaired"`, `"reset"`, `"closed"`, ...).
    LinkState { state: String },
    /// A payment host decided on a request.
    HostDecision {
        mti: String,
        stan: String,
        code: String,
        detail: String,
    },
    /// A latency measurement of a named operation (`scan_to_display`, `host_rtt`, ...).
    Measurement { op: String, latency_us: u64 },
    /// A snapshot of a device's state (free-form, but must be built deterministically).
    DeviceState { state: serde_json::Value },
    /// Anything else worth reading in the log.
    Note { text: String },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_json_has_stable_field_order() {
        let e = Event {
            at_us: 1500,
            lane: Some(1),
            source: "lane1/printer".into(),
            kind: EventKind::Frame {
                dir: FrameDir::In,
                summary: "cut full".into(),
            },
        };
        assert_eq!(
            e.canonical_json(),
            r#"{"at_us":1500,"lane":1,"source":"lane1/printer","kind":{"type":"frame","dir":"in","summary":"cut full"}}"#
        );
        let back: Event = serde_json::from_str(&e.canonical_json()).unwrap();
        assert_eq!(back, e);
    }
}
