//! The simulated scanner as a sans-IO state machine: codes presented by actions become frames on
//! the wire, subject to the trigger mode, ACK/NAK mode and the faults switched on.

use std::collections::VecDeque;
use std::time::Duration;

use posrig_protocols::scanner::{
    classify_payment_code, encode_scan, CommandDecoder, CommandError, HostCommand, Scan,
    ScannerConfig as FrameConfig, Symbology,
};
use serde_json::json;
use tokio::time::Instant;

use super::action::{infer_symbology, ScannerAction};
use super::config::{ScannerConfig, TriggerMode};
use super::fault::{misread_code, ScannerFault};
use crate::device::{DeviceError, DeviceEvent, Direction, Outbox, SimDevice};

const ROLE: &str = "scanner";

/// A code waiting for the host's ACK (ACK/NAK mode).
#[derive(Debug, Clone)]
struct InFlight {
    frame: Vec<u8>,
    summary: String,
    tries: u8,
    deadline: Instant,
}

/// A frame ready to go, with the summary its events carry.
#[derive(Debug, Clone)]
struct Outgoing {
    frame: Vec<u8>,
    summary: String,
}

/// Which faults are on.
#[derive(Debug, Clone, Copy, Default)]
struct Faults {
    misread: bool,
    no_read: bool,
    double_read: bool,
    unplugged: bool,
}

impl Faults {
    fn slot(&mut self, fault: ScannerFault) -> &mut bool {
        match fault {
            ScannerFault::Misread {} => &mut self.misread,
            ScannerFault::NoRead {} => &mut self.no_read,
            ScannerFault::DoubleRead {} => &mut self.double_read,
            ScannerFault::Unplugged {} => &mut self.unplugged,
        }
    }

    fn active(&self) -> Vec<&'static str> {
        [
            (self.misread, ScannerFault::Misread {}),
            (self.no_read, ScannerFault::NoRead {}),
            (self.double_read, ScannerFault::DoubleRead {}),
            (self.unplugged, ScannerFault::Unplugged {}),
        ]
        .into_iter()
        .filter(|(on, _)| *on)
        .map(|(_, f)| f.name())
        .collect()
    }
}

/// A barcode scanner on a serial line.
///
/// ```
/// use posrig_devices::scanner::{Scanner, ScannerAction, ScannerConfig};
/// use posrig_devices::{Outbox, SimDevice};
/// let mut scanner = Scanner::new(ScannerConfig::default());
/// let mut out = Outbox::default();
/// let now = tokio::time::Instant::now();
/// let scan = ScannerAction::Scan { code: "5901234123457".into(), symbology: None };
/// scanner.on_action(now, scan, &mut out).unwrap();
/// assert_eq!(out.bytes, b"]E05901234123457\r");
/// ```
#[derive(Debug)]
pub struct Scanner {
    config: ScannerConfig,
    frame: FrameConfig,
    commands: CommandDecoder,
    /// Host trigger mode: whether the host has the scanner reading.
    triggered: bool,
    /// Host trigger mode: codes presented while the scanner was not reading, in order.
    presented: VecDeque<Scan>,
    /// ACK/NAK mode: frames waiting behind the one in flight.
    queue: VecDeque<Outgoing>,
    in_flight: Option<InFlight>,
    faults: Faults,
    frames_sent: u64,
    last_sent: Option<String>,
}

impl Scanner {
    pub fn new(config: ScannerConfig) -> Self {
        Self {
            frame: config.frame_config(),
            config,
            commands: CommandDecoder::new(),
            triggered: false,
            presented: VecDeque::new(),
            queue: VecDeque::new(),
            in_flight: None,
            faults: Faults::default(),
            frames_sent: 0,
            last_sent: None,
        }
    }

    pub fn config(&self) -> &ScannerConfig {
        &self.config
    }

    fn reading(&self) -> bool {
        self.config.trigger == TriggerMode::Auto || self.triggered
    }

    /// Turn an action's code into a scan, refusing codes this programming cannot frame before
    /// anything happens.
    fn prepare(&self, code: String, symbology: Option<Symbology>) -> Result<Scan, DeviceError> {
        let scan = Scan {
            symbology: Some(symbology.unwrap_or_else(|| infer_symbology(&code))),
            data: code,
        };
        encode_scan(&scan, &self.frame).map_err(|e| DeviceError::BadRequest {
            device: ROLE,
            what: "action",
            message: format!("code {}: {e}", summarise(&scan)),
        })?;
        Ok(scan)
    }

    /// A code is in front of the window: read it now, or keep it for the trigger.
    fn present(&mut self, now: Instant, scan: Scan, out: &mut Outbox) {
        out.event(DeviceEvent::Action {
            name: "scan".into(),
            detail: summarise(&scan),
        });
        if self.faults.unplugged {
            out.event(note("scan_lost", "the scanner is unplugged"));
        } else if self.reading() {
            self.read(now, scan, out);
        } else {
            out.event(note(
                "waiting_for_trigger",
                "the host has not triggered the scanner",
            ));
            self.presented.push_back(scan);
        }
    }

    /// The scanner decodes a code and sends it, through the faults.
    fn read(&mut self, now: Instant, mut scan: Scan, out: &mut Outbox) {
        if self.faults.no_read {
            out.event(note("no_read", "the code was not read"));
            return;
        }
        if self.faults.misread {
            scan.data = misread_code(&scan.data);
            self.faults.misread = false;
            out.event(DeviceEvent::FaultCleared {
                fault: "misread".into(),
            });
        }
        // The code was checked when it was presented, and a misread only swaps one character
        // for a letter or digit, which never makes a suffix; still, a code that no longer
        // frames is reported rather than sent broken.
        let frame = match encode_scan(&scan, &self.frame) {
            Ok(frame) => frame,
            Err(e) => {
                out.event(note("scan_lost", e.to_string()));
                return;
            }
        };
        let copies = if self.faults.double_read { 2 } else { 1 };
        for _ in 0..copies {
            self.queue.push_back(Outgoing {
                frame: frame.clone(),
                summary: summarise(&scan),
            });
        }
        self.pump(now, out);
    }

    /// Send what can be sent: everything at once without ACK/NAK, one at a time with it.
    fn pump(&mut self, now: Instant, out: &mut Outbox) {
        while self.in_flight.is_none() {
            let Some(next) = self.queue.pop_front() else {
                break;
            };
            self.transmit(&next.frame, &next.summary, out);
            if self.config.ack_nak.enabled {
                self.in_flight = Some(InFlight {
                    frame: next.frame,
                    summary: next.summary,
                    tries: 1,
                    deadline: now + self.ack_timeout(),
                });
            }
        }
    }

    fn transmit(&mut self, frame: &[u8], summary: &str, out: &mut Outbox) {
        if self.faults.unplugged {
            out.event(note(
                "frame_lost",
                format!("{summary}: the scanner is unplugged"),
            ));
            return;
        }
        out.send(frame);
        out.frame(Direction::Out, summary);
        self.frames_sent += 1;
        self.last_sent = Some(summary.to_string());
    }

    fn ack_timeout(&self) -> Duration {
        Duration::from_millis(self.config.ack_nak.timeout_ms)
    }

    fn on_command(&mut self, now: Instant, command: HostCommand, out: &mut Outbox) {
        match command {
            HostCommand::TriggerOn => {
                out.frame(Direction::In, "trigger on");
                if self.config.trigger == TriggerMode::Host {
                    self.triggered = true;
                    while let Some(scan) = self.presented.pop_front() {
                        self.read(now, scan, out);
                    }
                }
            }
            HostCommand::TriggerOff => {
                out.frame(Direction::In, "trigger off");
                self.triggered = false;
            }
            HostCommand::Ack => {
                out.frame(Direction::In, "ACK");
                if self.config.ack_nak.enabled && self.in_flight.take().is_some() {
                    self.pump(now, out);
                }
            }
            HostCommand::Nak => {
                out.frame(Direction::In, "NAK");
                if !self.config.ack_nak.enabled {
                    return;
                }
                let Some(mut f) = self.in_flight.take() else {
                    return;
                };
                if f.tries >= self.config.ack_nak.max_tries {
                    out.event(note(
                        "frame_dropped",
                        format!("{}: NAK after {} tries", f.summary, f.tries),
                    ));
                    self.pump(now, out);
                    return;
                }
                f.tries += 1;
                f.deadline = now + self.ack_timeout();
                let summary = format!("{} (try {})", f.summary, f.tries);
                self.transmit(&f.frame, &summary, out);
                self.in_flight = Some(f);
            }
        }
    }
}

impl SimDevice for Scanner {
    type Action = ScannerAction;
    type Fault = ScannerFault;

    fn role(&self) -> &'static str {
        ROLE
    }

    fn on_bytes(&mut self, now: Instant, bytes: &[u8], out: &mut Outbox) {
        if self.faults.unplugged {
            return;
        }
        self.commands.push(bytes);
        while let Some(command) = self.commands.next_command() {
            match command {
                Ok(c) => self.on_command(now, c, out),
                Err(CommandError::Unknown(junk)) => out.frame(
                    Direction::In,
                    format!("{} unknown bytes skipped", junk.len()),
                ),
            }
        }
    }

    fn on_action(
        &mut self,
        now: Instant,
        action: ScannerAction,
        out: &mut Outbox,
    ) -> Result<(), DeviceError> {
        // Check every code first, so a bad code in a `scan_many` sends none of them.
        let scans = match action {
            ScannerAction::Scan { code, symbology } => {
                vec![self.prepare(code, symbology.map(|s| s.symbology()))?]
            }
            ScannerAction::ScanMany { codes } => codes
                .into_iter()
                .map(|code| self.prepare(code, None))
                .collect::<Result<_, _>>()?,
        };
        for scan in scans {
            self.present(now, scan, out);
        }
        Ok(())
    }

    fn on_fault(
        &mut self,
        _now: Instant,
        fault: ScannerFault,
        active: bool,
        out: &mut Outbox,
    ) -> Result<(), DeviceError> {
        *self.faults.slot(fault) = active;
        let name = fault.name().to_string();
        out.event(if active {
            DeviceEvent::FaultInjected { fault: name }
        } else {
            DeviceEvent::FaultCleared { fault: name }
        });
        Ok(())
    }

    fn next_deadline(&self) -> Option<Instant> {
        self.in_flight.as_ref().map(|f| f.deadline)
    }

    fn on_timer(&mut self, now: Instant, out: &mut Outbox) {
        if let Some(f) = self.in_flight.take_if(|f| now >= f.deadline) {
            out.event(note(
                "frame_dropped",
                format!(
                    "{}: no ACK within {} ms",
                    f.summary, self.config.ack_nak.timeout_ms
                ),
            ));
            self.pump(now, out);
        }
    }

    fn snapshot(&self) -> serde_json::Value {
        json!({
            "trigger": match self.config.trigger {
                TriggerMode::Auto => "auto",
                TriggerMode::Host => "host",
            },
            "reading": self.reading() && !self.faults.unplugged,
            "waiting_for_trigger": self.presented.len(),
            "awaiting_ack": self.in_flight.as_ref().map(|f| f.summary.clone()),
            "queued": self.queue.len(),
            "faults": self.faults.active(),
            "frames_sent": self.frames_sent,
            "last_sent": self.last_sent,
        })
    }
}

/// `]E0 5901234123457`: the AIM id and the code. A wallet payment code is a bearer credential
/// for a minute or so, so only its first 6 and last 4 digits appear.
fn summarise(scan: &Scan) -> String {
    let aim = scan
        .symbology
        .map(|s| String::from_utf8_lossy(&s.aim_id()).into_owned())
        .unwrap_or_default();
    let data = if classify_payment_code(&scan.data).is_some() {
        posrig_protocols::card::mask_pan(&scan.data)
    } else {
        scan.data.clone()
    };
    format!("{aim} {data}")
}

/// Something the scanner did on its own (no read, a dropped frame), reported as an action event
/// named for it: [`DeviceEvent`] has no kind for device-side happenings, and adding one would
/// change the contract every device shares.
fn note(name: &str, detail: impl Into<String>) -> DeviceEvent {
    DeviceEvent::Action {
        name: name.into(),
        detail: detail.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scanner::config::AckNakConfig;
    use posrig_protocols::scanner::validate;

    fn scan(code: &str) -> ScannerAction {
        ScannerAction::Scan {
            code: code.into(),
            symbology: None,
        }
    }

    fn act(s: &mut Scanner, now: Instant, a: ScannerAction) -> Outbox {
        let mut out = Outbox::default();
        s.on_action(now, a, &mut out).unwrap();
        out
    }

    fn bytes(s: &mut Scanner, now: Instant, b: &[u8]) -> Outbox {
        let mut out = Outbox::default();
        s.on_bytes(now, b, &mut out);
        out
    }

    fn fault(s: &mut Scanner, f: ScannerFault, on: bool) {
        s.on_fault(Instant::now(), f, on, &mut Outbox::default())
            .unwrap();
    }

    #[test]
    fn auto_mode_frames_each_code_with_its_inferred_aim_id() {
        let mut s = Scanner::new(ScannerConfig::default());
        let now = Instant::now();
        let out = act(
            &mut s,
            now,
            ScannerAction::ScanMany {
                codes: vec!["5901234123457".into(), "96385074".into(), "SKU-1".into()],
            },
        );
        assert_eq!(out.bytes, b"]E05901234123457\r]E496385074\r]C0SKU-1\r");
        assert_eq!(s.snapshot()["frames_sent"], 3);
    }

    #[test]
    fn prefix_suffix_and_no_aim_id() {
        let config = ScannerConfig {
            prefix: "#".into(),
            aim_id: false,
            suffix: crate::scanner::SuffixName::Crlf,
            ..ScannerConfig::default()
        };
        let mut s = Scanner::new(config);
        assert_eq!(
            act(&mut s, Instant::now(), scan("96385074")).bytes,
            b"#96385074\r\n"
        );
    }

    #[test]
    fn codes_that_cannot_be_framed_are_refused_and_nothing_is_sent() {
        let mut s = Scanner::new(ScannerConfig::default());
        let mut out = Outbox::default();
        let many = ScannerAction::ScanMany {
            codes: vec!["5901234123457".into(), "bad\rcode".into()],
        };
        let err = s.on_action(Instant::now(), many, &mut out).unwrap_err();
        assert!(matches!(err, DeviceError::BadRequest { .. }), "{err}");
        assert!(out.bytes.is_empty());
        assert!(s.on_action(Instant::now(), scan(""), &mut out).is_err());
    }

    #[test]
    fn host_trigger_holds_codes_until_trigger_on_and_stops_at_trigger_off() {
        let config = ScannerConfig {
            trigger: TriggerMode::Host,
            ..ScannerConfig::default()
        };
        let mut s = Scanner::new(config);
        let now = Instant::now();
        assert!(act(&mut s, now, scan("5901234123457")).bytes.is_empty());
        assert_eq!(s.snapshot()["waiting_for_trigger"], 1);
        // Split across reads: the decoder is incremental.
        assert!(bytes(&mut s, now, &[0x16, b'T']).bytes.is_empty());
        assert_eq!(bytes(&mut s, now, &[0x0D]).bytes, b"]E05901234123457\r");
        assert_eq!(act(&mut s, now, scan("96385074")).bytes, b"]E496385074\r");
        bytes(&mut s, now, &[0x16, b'U', 0x0D]);
        assert!(act(&mut s, now, scan("96385074")).bytes.is_empty());
    }

    #[test]
    fn ack_nak_mode_resends_on_nak_and_sends_the_next_code_on_ack() {
        let config = ScannerConfig {
            ack_nak: AckNakConfig {
                enabled: true,
                max_tries: 2,
                timeout_ms: 500,
            },
            ..ScannerConfig::default()
        };
        let mut s = Scanner::new(config);
        let t0 = Instant::now();
        let out = act(
            &mut s,
            t0,
            ScannerAction::ScanMany {
                codes: vec!["96385074".into(), "5901234123457".into()],
            },
        );
        assert_eq!(out.bytes, b"]E496385074\r", "one code in flight at a time");
        assert_eq!(s.next_deadline(), Some(t0 + Duration::from_millis(500)));
        assert_eq!(bytes(&mut s, t0, &[0x15]).bytes, b"]E496385074\r");
        assert_eq!(bytes(&mut s, t0, &[0x06]).bytes, b"]E05901234123457\r");
        // Two NAKs spend both tries: the code is dropped, nothing more goes out.
        assert_eq!(bytes(&mut s, t0, &[0x15]).bytes, b"]E05901234123457\r");
        let out = bytes(&mut s, t0, &[0x15]);
        assert!(out.bytes.is_empty());
        assert!(s.next_deadline().is_none());
        assert!(out
            .events
            .iter()
            .any(|e| matches!(e, DeviceEvent::Action { name, .. } if name == "frame_dropped")));
    }

    #[test]
    fn ack_nak_silence_drops_the_code_at_the_timeout_without_resending() {
        let config = ScannerConfig {
            ack_nak: AckNakConfig {
                enabled: true,
                ..AckNakConfig::default()
            },
            ..ScannerConfig::default()
        };
        let mut s = Scanner::new(config);
        let t0 = Instant::now();
        act(&mut s, t0, scan("96385074"));
        act(&mut s, t0, scan("5901234123457"));
        let deadline = s.next_deadline().unwrap();
        let mut out = Outbox::default();
        s.on_timer(deadline - Duration::from_millis(1), &mut out);
        assert!(out.bytes.is_empty(), "not due yet");
        s.on_timer(deadline, &mut out);
        assert_eq!(out.bytes, b"]E05901234123457\r", "the next code goes out");
    }

    #[test]
    fn misread_is_one_shot_and_fails_the_check_digit() {
        let mut s = Scanner::new(ScannerConfig::default());
        let now = Instant::now();
        fault(&mut s, ScannerFault::Misread {}, true);
        let out = act(&mut s, now, scan("5901234123457"));
        let data = std::str::from_utf8(&out.bytes[3..out.bytes.len() - 1]).unwrap();
        assert_ne!(data, "5901234123457");
        assert!(validate(data).is_err());
        assert_eq!(
            act(&mut s, now, scan("5901234123457")).bytes,
            b"]E05901234123457\r"
        );
    }

    #[test]
    fn no_read_double_read_and_unplugged() {
        let mut s = Scanner::new(ScannerConfig::default());
        let now = Instant::now();
        fault(&mut s, ScannerFault::NoRead {}, true);
        assert!(act(&mut s, now, scan("96385074")).bytes.is_empty());
        fault(&mut s, ScannerFault::NoRead {}, false);
        fault(&mut s, ScannerFault::DoubleRead {}, true);
        assert_eq!(
            act(&mut s, now, scan("96385074")).bytes,
            b"]E496385074\r]E496385074\r"
        );
        fault(&mut s, ScannerFault::DoubleRead {}, false);
        fault(&mut s, ScannerFault::Unplugged {}, true);
        assert!(act(&mut s, now, scan("96385074")).bytes.is_empty());
        assert_eq!(s.snapshot()["faults"], json!(["unplugged"]));
    }

    #[test]
    fn unplugged_scanner_ignores_host_commands() {
        let config = ScannerConfig {
            trigger: TriggerMode::Host,
            ..ScannerConfig::default()
        };
        let mut s = Scanner::new(config);
        let now = Instant::now();
        fault(&mut s, ScannerFault::Unplugged {}, true);
        assert!(bytes(&mut s, now, &[0x16, b'T', 0x0D]).events.is_empty());
        fault(&mut s, ScannerFault::Unplugged {}, false);
        assert!(
            act(&mut s, now, scan("96385074")).bytes.is_empty(),
            "the trigger-on was never heard"
        );
    }

    #[test]
    fn wallet_codes_are_masked_in_events() {
        let mut s = Scanner::new(ScannerConfig::default());
        let out = act(&mut s, Instant::now(), scan("134567890123456789"));
        assert_eq!(out.bytes, b"]Q1134567890123456789\r");
        let shown = format!("{:?}{}", out.events, s.snapshot());
        assert!(!shown.contains("134567890123456789"), "{shown}");
    }
}
