//! The [`Scale`] state machine: a load on the platter that swings for a while after it changes,
//! and answers to `W`.

use std::time::Duration;

use posrig_protocols::scale::{
    encode_reply, RequestDecoder, ScaleReply, ScaleRequest, ScaleStatus,
};
use serde_json::json;
use tokio::time::Instant;

use super::control::{ScaleAction, ScaleConfig, ScaleFault};
use crate::device::{DeviceError, DeviceEvent, Direction, Outbox, SimDevice};

/// A simulated Toledo-style scale.
#[derive(Debug, Clone)]
pub struct Scale {
    config: ScaleConfig,
    decoder: RequestDecoder,
    grams: u32,
    moving: bool,
    settle_at: Option<Instant>,
    motion_fault: bool,
    over_fault: bool,
    under_fault: bool,
    unplugged: bool,
}

impl Scale {
    /// An empty, stable scale.
    pub fn new(config: ScaleConfig) -> Self {
        Scale {
            config,
            decoder: RequestDecoder::new(),
            grams: 0,
            moving: false,
            settle_at: None,
            motion_fault: false,
            over_fault: false,
            under_fault: false,
            unplugged: false,
        }
    }

    /// What the scale would answer to `W` now.
    pub fn reading(&self) -> ScaleReply {
        let status = ScaleStatus {
            in_motion: self.moving || self.motion_fault,
            over_capacity: self.over_fault || self.grams > self.config.capacity_g,
            under_zero: self.under_fault,
        };
        if status == ScaleStatus::default() {
            ScaleReply::Weight { grams: self.grams }
        } else {
            ScaleReply::Status(status)
        }
    }

    fn load_changed(&mut self, now: Instant) {
        self.moving = true;
        self.settle_at = self
            .config
            .settle_ms
            .map(|ms| now + Duration::from_millis(ms));
    }
}

fn summary(reply: ScaleReply) -> String {
    match reply {
        ScaleReply::Weight { grams } => format!("{}.{:03} kg", grams / 1000, grams % 1000),
        ScaleReply::Status(s) => format!(
            "status {:02X}{}{}{}",
            s.to_byte(),
            if s.in_motion { " in motion" } else { "" },
            if s.over_capacity {
                " over capacity"
            } else {
                ""
            },
            if s.under_zero { " under zero" } else { "" },
        ),
    }
}

impl SimDevice for Scale {
    type Action = ScaleAction;
    type Fault = ScaleFault;

    fn role(&self) -> &'static str {
        "scale"
    }

    fn on_bytes(&mut self, _now: Instant, bytes: &[u8], out: &mut Outbox) {
        if self.unplugged {
            return;
        }
        self.decoder.push(bytes);
        while let Some(request) = self.decoder.next_request() {
            match request {
                Ok(ScaleRequest::Weigh) => {
                    let reply = self.reading();
                    let mut frame = Vec::new();
                    // The field carries at most 99.999 kg; heavier is reported as over capacity.
                    if encode_reply(reply, &mut frame).is_err() {
                        frame.clear();
                        let over = ScaleStatus {
                            over_capacity: true,
                            ..ScaleStatus::default()
                        };
                        let _ = encode_reply(ScaleReply::Status(over), &mut frame);
                    }
                    out.send(&frame);
                    out.frame(Direction::Out, format!("W -> {}", summary(reply)));
                }
                Err(e) => out.frame(Direction::In, e.to_string()),
            }
        }
    }

    fn on_action(
        &mut self,
        now: Instant,
        action: ScaleAction,
        out: &mut Outbox,
    ) -> Result<(), DeviceError> {
        let (name, detail) = match action {
            ScaleAction::Place { grams } => {
                self.grams = grams;
                self.load_changed(now);
                ("place", format!("{grams} g on the platter"))
            }
            ScaleAction::Remove => {
                self.grams = 0;
                self.load_changed(now);
                ("remove", "platter cleared".to_owned())
            }
            ScaleAction::Settle => {
                self.moving = false;
                self.settle_at = None;
                ("settle", "the load is still".to_owned())
            }
        };
        out.event(DeviceEvent::Action {
            name: name.into(),
            detail,
        });
        Ok(())
    }

    fn on_fault(
        &mut self,
        _now: Instant,
        fault: ScaleFault,
        active: bool,
        out: &mut Outbox,
    ) -> Result<(), DeviceError> {
        match fault {
            ScaleFault::Motion => self.motion_fault = active,
            ScaleFault::OverCapacity => self.over_fault = active,
            ScaleFault::UnderZero => self.under_fault = active,
            ScaleFault::Unplugged => self.unplugged = active,
        }
        let name = fault.name().into();
        out.event(if active {
            DeviceEvent::FaultInjected { fault: name }
        } else {
            DeviceEvent::FaultCleared { fault: name }
        });
        Ok(())
    }

    fn next_deadline(&self) -> Option<Instant> {
        self.settle_at
    }

    fn on_timer(&mut self, now: Instant, out: &mut Outbox) {
        if self.settle_at.is_some_and(|at| at <= now) {
            self.settle_at = None;
            self.moving = false;
            out.event(DeviceEvent::State {
                state: self.snapshot(),
            });
        }
    }

    fn snapshot(&self) -> serde_json::Value {
        let faults: Vec<&str> = [
            (self.motion_fault, "motion"),
            (self.over_fault, "over_capacity"),
            (self.under_fault, "under_zero"),
            (self.unplugged, "unplugged"),
        ]
        .into_iter()
        .filter_map(|(on, n)| on.then_some(n))
        .collect();
        json!({
            "grams": self.grams,
            "in_motion": self.moving || self.motion_fault,
            "capacity_g": self.config.capacity_g,
            "reading": summary(self.reading()),
            "faults": faults,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weigh(s: &mut Scale, now: Instant) -> Vec<u8> {
        let mut out = Outbox::default();
        s.on_bytes(now, b"W", &mut out);
        out.bytes
    }

    fn act(s: &mut Scale, now: Instant, a: ScaleAction) {
        s.on_action(now, a, &mut Outbox::default()).unwrap();
    }

    fn fault(s: &mut Scale, f: ScaleFault, on: bool) {
        s.on_fault(Instant::now(), f, on, &mut Outbox::default())
            .unwrap();
    }

    #[test]
    fn a_placed_load_swings_then_weighs() {
        let t0 = Instant::now();
        let mut s = Scale::new(ScaleConfig::default());
        assert_eq!(weigh(&mut s, t0), b"\x0200.000\x0d");
        act(&mut s, t0, ScaleAction::Place { grams: 1250 });
        assert_eq!(weigh(&mut s, t0), b"\x02?\x01\x0d");
        assert_eq!(s.next_deadline(), Some(t0 + Duration::from_millis(500)));
        s.on_timer(t0 + Duration::from_millis(500), &mut Outbox::default());
        assert_eq!(weigh(&mut s, t0), b"\x0201.250\x0d");
    }

    #[test]
    fn faults_and_capacity() {
        let t0 = Instant::now();
        let mut s = Scale::new(ScaleConfig {
            settle_ms: None,
            ..ScaleConfig::default()
        });
        act(&mut s, t0, ScaleAction::Place { grams: 16_000 });
        assert_eq!(s.next_deadline(), None);
        act(&mut s, t0, ScaleAction::Settle);
        assert_eq!(weigh(&mut s, t0), b"\x02?\x02\x0d");
        act(&mut s, t0, ScaleAction::Place { grams: 100 });
        act(&mut s, t0, ScaleAction::Settle);
        fault(&mut s, ScaleFault::Motion, true);
        act(&mut s, t0, ScaleAction::Settle);
        assert_eq!(weigh(&mut s, t0), b"\x02?\x01\x0d");
        fault(&mut s, ScaleFault::Motion, false);
        fault(&mut s, ScaleFault::UnderZero, true);
        assert_eq!(weigh(&mut s, t0), b"\x02?\x04\x0d");
        fault(&mut s, ScaleFault::UnderZero, false);
        fault(&mut s, ScaleFault::Unplugged, true);
        assert!(weigh(&mut s, t0).is_empty());
        fault(&mut s, ScaleFault::Unplugged, false);
        assert_eq!(weigh(&mut s, t0), b"\x0200.100\x0d");
    }
}
