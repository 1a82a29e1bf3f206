//! The customer display state machine: parse what the host sends, apply it to the 2×20
//! [`Screen`], and report the screen whenever what the customer sees changes.

use posrig_protocols::display::{Parser, Screen};
use serde_json::json;
use tokio::time::Instant;

use super::control::{DisplayAction, DisplayFault};
use crate::device::{DeviceError, DeviceEvent, Outbox, SimDevice};

/// A simulated 2×20 customer display.
#[derive(Debug, Clone, Default)]
pub struct CustomerDisplay {
    parser: Parser,
    screen: Screen,
    unplugged: bool,
    garbled_every: Option<u32>,
    blank: bool,
    received: u64,
    dropped: u64,
}

impl CustomerDisplay {
    /// A display at power-on: blank screen, cursor home.
    pub fn new() -> Self {
        Self::default()
    }

    /// The screen model, whatever the faults show.
    pub fn screen(&self) -> &Screen {
        &self.screen
    }

    /// The two lines the customer sees (blank while the `blank` fault is on).
    pub fn shown_lines(&self) -> [String; 2] {
        if self.blank {
            [" ".repeat(20), " ".repeat(20)]
        } else {
            self.screen.lines()
        }
    }

    /// Bytes that reached the display (from its own wire, or passed through a printer).
    /// Reports the screen if it changed.
    pub fn receive(&mut self, bytes: &[u8], out: &mut Outbox) {
        if self.unplugged {
            return;
        }
        let mut kept = Vec::with_capacity(bytes.len());
        for &b in bytes {
            self.received += 1;
            match self.garbled_every {
                Some(n) if n > 0 && self.received % u64::from(n) == 0 => self.dropped += 1,
                _ => kept.push(b),
            }
        }
        self.parser.push(&kept);
        let mut changed = false;
        while let Some(cmd) = self.parser.next_command() {
            changed |= self.screen.apply(&cmd);
        }
        if changed && !self.blank {
            out.event(self.screen_event());
        }
    }

    fn screen_event(&self) -> DeviceEvent {
        DeviceEvent::State {
            state: self.snapshot(),
        }
    }

    fn faults(&self) -> Vec<&'static str> {
        let mut f = Vec::new();
        if self.unplugged {
            f.push("unplugged");
        }
        if self.garbled_every.is_some() {
            f.push("garbled");
        }
        if self.blank {
            f.push("blank");
        }
        f
    }
}

impl SimDevice for CustomerDisplay {
    type Action = DisplayAction;
    type Fault = DisplayFault;

    fn role(&self) -> &'static str {
        "display"
    }

    fn on_bytes(&mut self, _now: Instant, bytes: &[u8], out: &mut Outbox) {
        self.receive(bytes, out);
    }

    fn on_action(
        &mut self,
        _now: Instant,
        action: DisplayAction,
        out: &mut Outbox,
    ) -> Result<(), DeviceError> {
        match action {
            DisplayAction::PowerCycle => {
                self.parser = Parser::new();
                self.screen = Screen::new();
                out.event(DeviceEvent::Action {
                    name: "power_cycle".into(),
                    detail: "screen cleared".into(),
                });
                out.event(self.screen_event());
            }
        }
        Ok(())
    }

    fn on_fault(
        &mut self,
        _now: Instant,
        fault: DisplayFault,
        active: bool,
        out: &mut Outbox,
    ) -> Result<(), DeviceError> {
        let name = fault.name().to_owned();
        match fault {
            DisplayFault::Unplugged => self.unplugged = active,
            DisplayFault::Garbled { every } => {
                if active && every == 0 {
                    return Err(DeviceError::BadRequest {
                        device: "display",
                        what: "fault",
                        message: "garbled `every` must be at least 1".into(),
                    });
                }
                self.garbled_every = active.then_some(every);
            }
            DisplayFault::Blank => self.blank = active,
        }
        out.event(if active {
            DeviceEvent::FaultInjected { fault: name }
        } else {
            DeviceEvent::FaultCleared { fault: name }
        });
        Ok(())
    }

    fn next_deadline(&self) -> Option<Instant> {
        None
    }

    fn on_timer(&mut self, _now: Instant, _out: &mut Outbox) {}

    fn snapshot(&self) -> serde_json::Value {
        let (col, row) = self.screen.cursor();
        json!({
            "lines": self.shown_lines(),
            "cursor": {"col": col + 1, "row": row + 1},
            "brightness": self.screen.brightness(),
            "faults": self.faults(),
            "bytes_dropped": self.dropped,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use posrig_protocols::display::show_lines;

    fn feed(d: &mut CustomerDisplay, bytes: &[u8]) -> Outbox {
        let mut out = Outbox::default();
        d.on_bytes(Instant::now(), bytes, &mut out);
        out
    }

    #[test]
    fn clear_and_text_show_on_screen_with_one_event_per_change() {
        let mut d = CustomerDisplay::new();
        let out = feed(&mut d, b"\x0cHELLO");
        assert_eq!(out.events.len(), 1);
        assert_eq!(d.shown_lines()[0], format!("{:<20}", "HELLO"));
        assert_eq!(d.snapshot()["cursor"], json!({"col": 6, "row": 1}));
        // Moving to where the cursor already is changes nothing visible.
        assert!(feed(&mut d, b"\x1f\x24\x06\x01").events.is_empty());
        feed(&mut d, &show_lines("MILK 1L", "2.50"));
        assert_eq!(d.screen().lines()[1].trim_end(), "2.50");
    }

    #[test]
    fn faults_blank_garble_and_unplug() {
        let now = Instant::now();
        let mut d = CustomerDisplay::new();
        let mut out = Outbox::default();
        d.on_fault(now, DisplayFault::Blank, true, &mut out)
            .unwrap();
        assert!(feed(&mut d, b"\x0cHI").events.is_empty());
        assert_eq!(d.shown_lines()[0].trim(), "");
        d.on_fault(now, DisplayFault::Blank, false, &mut out)
            .unwrap();
        assert_eq!(d.shown_lines()[0].trim(), "HI");

        d.on_fault(now, DisplayFault::Garbled { every: 2 }, true, &mut out)
            .unwrap();
        feed(&mut d, b"\x0cABCDEF");
        // Bytes 4, 6, 8 and 10 since power-on are lost: the clear, B, D and F.
        assert_eq!(d.snapshot()["bytes_dropped"], 4);
        assert_eq!(d.shown_lines()[0].trim_end(), "HIACE");
        d.on_fault(now, DisplayFault::Unplugged, true, &mut out)
            .unwrap();
        assert!(feed(&mut d, b"\x0cXYZ").events.is_empty());
        assert_eq!(
            out.events.last(),
            Some(&DeviceEvent::FaultInjected {
                fault: "unplugged".into()
            })
        );
    }
}
