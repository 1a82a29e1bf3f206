//! The device-side operation clocks — started and stopped by device frames and display
//! snapshots as they arrive on the event bus (the definitions are in the [module docs](super)).

use std::time::Duration;

use posrig_reports::ops;
use posrig_sim::event::{Event, EventKind, FrameDir};

/// Result lines the POS shows while a card payment is still under way.
const CARD_PROMPTS: [&str; 6] = [
    "INSERT/SWIPE/TAP",
    "READING CARD",
    "ENTER PIN",
    "AUTHORISING",
    "PLEASE WAIT",
    "INSERT CHIP CARD",
];

/// Result lines the POS shows while a wallet payment is still under way.
const QR_PROMPTS: [&str; 2] = ["QR PAYMENT", "PLEASE WAIT"];

/// Result lines that say a tender is done (the receipt is due).
const TENDER_RESULTS: [&str; 7] = [
    "APPROVED",
    "APPROVED OFFLINE",
    "PAID",
    "CARD/QR PAID",
    "CHANGE",
    "REFUND APPROVED",
    "REFUND PAID",
];

/// One measured operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    /// A standard operation name ([`posrig_reports::ops`]).
    pub op: &'static str,
    /// When the operation ended, since the run started.
    pub at: Duration,
    pub latency: Duration,
}

/// Running clocks of one lane's operations. Feed it every event in bus order with
/// [`WireClocks::observe`]; completed operations collect in [`WireClocks::samples`].
#[derive(Debug, Default)]
pub struct WireClocks {
    /// The display's last two lines, trimmed.
    lines: Option<[String; 2]>,
    scan: Option<u64>,
    keys: Vec<u64>,
    card: Option<u64>,
    pin: Option<u64>,
    qr: Option<u64>,
    sign_on: Option<u64>,
    settlement: Option<u64>,
    tender_done: Option<u64>,
    first_scan: Option<u64>,
    samples: Vec<Sample>,
}

impl WireClocks {
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes one event of the run into account.
    pub fn observe(&mut self, event: &Event) {
        // Only a lane's devices (`lane1/display`, …) start or stop these clocks; host and link
        // events are other sources (`acquirer`, `link/printer`).
        let Some((lane, device)) = event.source.split_once('/') else {
            return;
        };
        if !lane.starts_with("lane") {
            return;
        }
        let at = event.at_us;
        match (device, &event.kind) {
            ("scanner", EventKind::Frame { dir, summary }) if *dir == FrameDir::Out => {
                self.keys.clear();
                if summary.starts_with("]Q") {
                    self.scan = None;
                    self.qr = Some(at);
                } else {
                    self.scan = Some(at);
                    self.first_scan.get_or_insert(at);
                }
            }
            ("keyboard", EventKind::Frame { dir, summary }) if *dir == FrameDir::Out => {
                // Keys typed in the same instant wait for the display together; a key from an
                // earlier instant that is still waiting changed nothing before this one.
                self.scan = None;
                self.keys.retain(|&k| k == at);
                self.keys.push(at);
                match summary.as_str() {
                    "SIGNON" => self.sign_on = Some(at),
                    "SETTLE" => self.settlement = Some(at),
                    _ => {}
                }
            }
            ("pinpad", EventKind::Frame { dir, summary }) if *dir == FrameDir::Out => {
                if summary.starts_with("C0 ") {
                    self.card = Some(at);
                } else if summary.starts_with("P1") {
                    self.pin = Some(at);
                } else {
                    return;
                }
                self.scan = None;
                self.keys.clear();
            }
            ("printer", EventKind::Action { name, .. }) if name == "receipt" => {
                if let Some(start) = self.tender_done.take() {
                    self.push(ops::RECEIPT, start, at);
                }
                if let Some(start) = self.first_scan.take() {
                    self.push(ops::CHECKOUT, start, at);
                }
            }
            ("display", EventKind::DeviceState { state }) => {
                let line = |i: usize| {
                    state["lines"][i]
                        .as_str()
                        .unwrap_or_default()
                        .trim()
                        .to_owned()
                };
                let lines = [line(0), line(1)];
                if self.lines.as_ref() != Some(&lines) {
                    self.display_changed(&lines[0], at);
                    self.lines = Some(lines);
                }
            }
            _ => {}
        }
    }

    fn display_changed(&mut self, result: &str, at: u64) {
        if let Some(start) = self.scan.take() {
            self.push(ops::SCAN_TO_DISPLAY, start, at);
        }
        for start in std::mem::take(&mut self.keys) {
            self.push(ops::KEY_TO_DISPLAY, start, at);
        }
        if !CARD_PROMPTS.contains(&result) {
            if let Some(start) = self.card.take() {
                self.push(ops::CARD_AUTH, start, at);
            }
            if let Some(start) = self.pin.take() {
                self.push(ops::PIN_TO_RESULT, start, at);
            }
        }
        if !QR_PROMPTS.contains(&result) {
            if let Some(start) = self.qr.take() {
                self.push(ops::QR_PAY, start, at);
            }
        }
        if result != "SIGNING ON" {
            if let Some(start) = self.sign_on.take() {
                self.push(ops::SIGN_ON, start, at);
            }
        }
        if result != "SETTLING" {
            if let Some(start) = self.settlement.take() {
                self.push(ops::SETTLEMENT, start, at);
            }
        }
        if TENDER_RESULTS.contains(&result) {
            self.tender_done.get_or_insert(at);
        }
    }

    fn push(&mut self, op: &'static str, start_us: u64, end_us: u64) {
        self.samples.push(Sample {
            op,
            at: Duration::from_micros(end_us),
            latency: Duration::from_micros(end_us.saturating_sub(start_us)),
        });
    }

    /// Operations completed so far, in the order they ended.
    pub fn samples(&self) -> &[Sample] {
        &self.samples
    }

    pub fn into_samples(self) -> Vec<Sample> {
        self.samples
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ev(at_ms: u64, source: &str, kind: EventKind) -> Event {
        Event {
            at_us: at_ms * 1000,
            lane: Some(1),
            source: source.into(),
            kind,
        }
    }

    fn out(at_ms: u64, device: &str, summary: &str) -> Event {
        ev(
            at_ms,
            &format!("lane1/{device}"),
            EventKind::Frame {
                dir: FrameDir::Out,
                summary: summary.into(),
            },
        )
    }

    fn display(at_ms: u64, l1: &str, l2: &str) -> Event {
        ev(
            at_ms,
            "lane1/display",
            EventKind::DeviceState {
                state: json!({"lines": [format!("{l1:20}"), format!("{l2:20}")]}),
            },
        )
    }

    fn cut(at_ms: u64) -> Event {
        ev(
            at_ms,
            "lane1/printer",
            EventKind::Action {
                name: "receipt".into(),
                detail: "receipt 1: 3 lines, partial cut".into(),
            },
        )
    }

    fn run(events: &[Event]) -> Vec<(&'static str, u64)> {
        let mut c = WireClocks::new();
        for e in events {
            c.observe(e);
        }
        c.into_samples()
            .into_iter()
            .map(|s| (s.op, s.latency.as_millis() as u64))
            .collect()
    }

    #[test]
    fn a_card_sale_is_measured_from_scan_to_cut() {
        let samples = run(&[
            display(0, "SIGNED ON", "BATCH 000001"),
            out(100, "scanner", "]E0 6901234100006"),
            display(105, "Whole milk 1L", "12.50"),
            out(200, "keyboard", "TOTAL"),
            display(200, "TOTAL", "12.50"),
            out(300, "keyboard", "CARD"),
            display(300, "INSERT/SWIPE/TAP", "12.50"),
            out(
                400,
                "pinpad",
                "C0 chip 622202*********0017 2812 icc 75 bytes",
            ),
            display(400, "READING CARD", "12.50"),
            display(400, "ENTER PIN", "12.50"),
            out(500, "pinpad", "P1 OK <pin block>"),
            display(500, "AUTHORISING", "PLEASE WAIT"),
            display(2500, "APPROVED", "THANK YOU"),
            cut(3500),
        ]);
        assert_eq!(
            samples,
            [
                ("scan_to_display", 5),
                ("key_to_display", 0),
                ("key_to_display", 0),
                ("card_auth", 2100),
                ("pin_to_result", 2000),
                ("receipt", 1000),
                ("checkout", 3400),
            ]
        );
    }

    #[test]
    fn an_input_that_changes_nothing_before_the_next_input_gives_no_sample() {
        let samples = run(&[
            display(0, "TOTAL", "12.50"),
            out(100, "keyboard", "ENTER"),
            out(200, "keyboard", "CARD"),
            out(200, "keyboard", "ENTER"),
            display(210, "INSERT/SWIPE/TAP", "12.50"),
            out(300, "scanner", "]E0 6901234100006"),
            out(400, "keyboard", "TOTAL"),
            display(400, "TOTAL", "12.50"),
        ]);
        assert_eq!(
            samples,
            [
                ("key_to_display", 10),
                ("key_to_display", 10),
                ("key_to_display", 0),
            ]
        );
    }

    #[test]
    fn a_wallet_code_is_qr_pay_not_an_item_scan() {
        let samples = run(&[
            display(0, "SCAN PAY CODE", "12.50"),
            out(100, "scanner", "]Q1 134567********6789"),
            display(100, "QR PAYMENT", "PLEASE WAIT"),
            display(900, "PAID", "THANK YOU"),
        ]);
        assert_eq!(samples, [("qr_pay", 800)]);
    }

    #[test]
    fn an_unchanged_display_answers_nothing_and_other_sources_are_ignored() {
        let samples = run(&[
            display(0, "Whole milk 1L", "12.50"),
            out(100, "scanner", "]E0 6901234100006"),
            display(100, "Whole milk 1L", "12.50"),
            ev(
                150,
                "link/display",
                EventKind::DeviceState {
                    state: json!({"lines": ["X", "Y"]}),
                },
            ),
            out(200, "keyboard", "SIGNON"),
            display(200, "SIGNING ON", "PLEASE WAIT"),
            display(700, "SIGNED ON", "BATCH 000001"),
            out(800, "keyboard", "SETTLE"),
            display(800, "SETTLING", "PLEASE WAIT"),
            display(1800, "SETTLED", "BATCH 000001"),
        ]);
        assert_eq!(
            samples,
            [
                ("key_to_display", 0),
                ("sign_on", 500),
                ("key_to_display", 0),
                ("settlement", 1000),
            ]
        );
    }
}
