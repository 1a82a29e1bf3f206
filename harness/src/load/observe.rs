//! What a lane's devices showed, stamped with the time each device saw it: the wire-level
//! clocks of `queue_wait` (first input), `checkout` (the paper cut) and `card_auth` (card
//! presented → result on the customer display).

use posrig_devices::DeviceEvent;
use tokio::time::Instant;

use crate::scenario::DeviceRole;

/// What a lane's devices showed, stamped when the device saw it.
#[derive(Default)]
pub struct LaneObs {
    pub cuts: u64,
    pub last_cut: Option<Instant>,
    /// The first input (scan, key, weight) since the shopper started.
    pub first_input: Option<Instant>,
    pub card_presented: Option<Instant>,
    /// Card results not yet recorded: (presented, shown, error cause).
    pub card_results: Vec<(Instant, Instant, Option<String>)>,
}

impl LaneObs {
    /// A printer snapshot: a new cut is a receipt finished.
    pub fn printer(&mut self, state: &serde_json::Value, now: Instant) {
        if let Some(cuts) = state["cuts"].as_u64() {
            if cuts > self.cuts {
                self.cuts = cuts;
                self.last_cut = Some(now);
            }
        }
    }

    pub fn see(&mut self, role: DeviceRole, event: &DeviceEvent) {
        let now = Instant::now();
        match (role, event) {
            (DeviceRole::Printer, DeviceEvent::State { state }) => self.printer(state, now),
            (
                DeviceRole::Scanner | DeviceRole::Keyboard | DeviceRole::Scale,
                DeviceEvent::Action { .. },
            ) => {
                self.first_input.get_or_insert(now);
            }
            (DeviceRole::Pinpad, DeviceEvent::Action { name, .. })
                if matches!(name.as_str(), "insert" | "swipe" | "tap") =>
            {
                self.card_presented = Some(now);
            }
            (DeviceRole::Display, DeviceEvent::State { state }) => {
                let Some(presented) = self.card_presented else {
                    return;
                };
                let line = |i: usize| {
                    state["lines"][i]
                        .as_str()
                        .unwrap_or_default()
                        .trim()
                        .to_owned()
                };
                let (l1, l2) = (line(0), line(1));
                let outcome = if l1.starts_with("APPROVED") {
                    Some(None)
                } else if l2.starts_with("DECLINED") {
                    Some(Some(format!(
                        "declined {}",
                        l2.trim_start_matches("DECLINED").trim()
                    )))
                } else if matches!(
                    l1.as_str(),
                    "PIN CANCELLED"
                        | "PIN TIMEOUT"
                        | "CARD CANCELLED"
                        | "NO RESPONSE"
                        | "HOST DOWN"
                ) {
                    Some(Some(l1.to_lowercase()))
                } else {
                    None
                };
                if let Some(cause) = outcome {
                    self.card_results.push((presented, now, cause));
                    self.card_presented = None;
                }
            }
            _ => {}
        }
    }
}
