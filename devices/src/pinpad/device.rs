//! The simulated card reader and PIN pad: the §3 link (every frame ACKed, retries on NAK or
//! silence) around the transaction [`Session`], with the faults that act on the wire.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use posrig_protocols::pinpad::{Link, LinkOutput, PadMessage, ACK, NAK, STX};
use posrig_sim::data::{Card, CardFile};
use serde_json::json;
use tokio::time::Instant;

use super::action::PinPadAction;
use super::config::{PinPadConfig, PinPadConfigError};
use super::fault::PinPadFault;
use super::keys::KeyStore;
use super::session::{note, Session, Terminal};
use super::summary::summarise;
use crate::device::{DeviceError, DeviceEvent, Direction, Outbox, SimDevice};

const ROLE: &str = "pinpad";

/// Which faults are on.
#[derive(Debug, Clone, Copy, Default)]
struct Faults {
    chip_failure: bool,
    unplugged: bool,
    nak_all: bool,
    slow_ms: Option<u64>,
    corrupt_lrc: bool,
}

impl Faults {
    fn active(&self) -> Vec<String> {
        let mut on = Vec::new();
        let flags = [
            (self.chip_failure, "chip_failure"),
            (self.unplugged, "unplugged"),
            (self.nak_all, "nak_all"),
            (self.corrupt_lrc, "corrupt_lrc"),
        ];
        on.extend(flags.iter().filter(|(f, _)| *f).map(|(_, n)| n.to_string()));
        if let Some(ms) = self.slow_ms {
            on.push(format!("slow {ms} ms"));
        }
        on
    }
}

/// A card reader with PIN pad on a serial line, holding the rig's test cards.
#[derive(Debug)]
pub struct PinPad {
    cards: Arc<CardFile>,
    link: Link,
    /// The link counts time from here (the first instant the pad saw).
    epoch: Option<Instant>,
    session: Session,
    faults: Faults,
    /// Bytes held back by the `slow` fault, with the instant each may leave, in order.
    delayed: VecDeque<(Instant, Vec<u8>)>,
    last_in: Option<&'static str>,
    last_out: Option<&'static str>,
}

impl PinPad {
    pub fn new(config: PinPadConfig, cards: Arc<CardFile>) -> Result<Self, PinPadConfigError> {
        let terminal = Terminal {
            pin_timeout: config.pin_timeout(),
            country: config.country,
            date: config.emv_date()?,
        };
        Ok(Self {
            cards,
            link: Link::new(config.link.link_config()),
            epoch: None,
            session: Session::new(KeyStore::new(config.master_key()?), terminal),
            faults: Faults::default(),
            delayed: VecDeque::new(),
            last_in: None,
            last_out: None,
        })
    }

    /// Time on the link's clock.
    fn link_time(&mut self, now: Instant) -> Duration {
        let epoch = *self.epoch.get_or_insert(now);
        now.saturating_duration_since(epoch)
    }

    fn card(&self, name: &str, action: &str) -> Result<Card, DeviceError> {
        self.cards.by_name(name).cloned().ok_or_else(|| {
            let known: Vec<&str> = self.cards.cards.iter().map(|c| c.name.as_str()).collect();
            DeviceError::BadRequest {
                device: ROLE,
                what: "action",
                message: format!(
                    "{action}: no card `{name}` in the card file (known: {})",
                    known.join(", ")
                ),
            }
        })
    }

    /// Act on what the link reported, then put the link's bytes on the wire.
    fn drain(&mut self, now: Instant, out: &mut Outbox) {
        let mut replies = Vec::new();
        while let Some(output) = self.link.poll_output() {
            match output {
                LinkOutput::Received(payload) => {
                    if self.faults.nak_all {
                        out.frame(Direction::In, "frame NAKed (nak_all)");
                        continue;
                    }
                    match PadMessage::parse(&payload) {
                        Ok(message) => {
                            out.frame(Direction::In, summarise(&message));
                            self.last_in = Some(message.id());
                            self.session.on_message(now, message, &mut replies, out);
                        }
                        Err(e) => {
                            out.frame(Direction::In, format!("bad message: {e}"));
                            self.session.on_bad_message(&mut replies);
                        }
                    }
                }
                LinkOutput::Delivered { .. } => {}
                LinkOutput::GaveUp { attempts } => out.event(note(
                    "frame_given_up",
                    format!("no ACK after {attempts} transmissions"),
                )),
                LinkOutput::LineError(e) => out.frame(Direction::In, format!("line error: {e}")),
            }
        }
        self.send_all(now, replies, out);
        self.transmit(now, out);
    }

    /// Queue messages on the link.
    fn send_all(&mut self, now: Instant, messages: Vec<PadMessage>, out: &mut Outbox) {
        let t = self.link_time(now);
        for message in messages {
            // Every message the session builds is encodable: amounts and texts come from
            // messages that parsed, and card data from the checked card file.
            match message.encode() {
                Ok(payload) => match self.link.send(&payload, t) {
                    Ok(()) => {
                        out.frame(Direction::Out, summarise(&message));
                        self.last_out = Some(message.id());
                    }
                    Err(e) => out.event(note("frame_not_sent", e.to_string())),
                },
                Err(e) => out.event(note("frame_not_sent", e.to_string())),
            }
        }
    }

    /// Move the link's bytes to the wire, through the faults.
    fn transmit(&mut self, now: Instant, out: &mut Outbox) {
        while let Some(mut bytes) = self.link.poll_transmit() {
            if self.faults.unplugged {
                continue;
            }
            let is_frame = bytes.first() == Some(&STX);
            if !is_frame && self.faults.nak_all {
                for b in &mut bytes {
                    if *b == ACK {
                        *b = NAK;
                    }
                }
            }
            if is_frame && self.faults.corrupt_lrc {
                if let Some(lrc) = bytes.last_mut() {
                    *lrc ^= 0x5A;
                }
                self.faults.corrupt_lrc = false;
                out.event(DeviceEvent::FaultCleared {
                    fault: "corrupt_lrc".into(),
                });
            }
            let hold = self.faults.slow_ms.map(Duration::from_millis);
            if hold.is_some() || !self.delayed.is_empty() {
                // Behind earlier held bytes even if the fault was cleared: a wire keeps order.
                let at = now + hold.unwrap_or_default();
                let at = self.delayed.back().map_or(at, |(last, _)| at.max(*last));
                self.delayed.push_back((at, bytes));
            } else {
                out.send(&bytes);
            }
        }
    }

    fn release_delayed(&mut self, now: Instant, out: &mut Outbox) {
        while self.delayed.front().is_some_and(|(at, _)| *at <= now) {
            let (_, bytes) = self.delayed.pop_front().expect("checked non-empty");
            if !self.faults.unplugged {
                out.send(&bytes);
            }
        }
    }
}

impl SimDevice for PinPad {
    type Action = PinPadAction;
    type Fault = PinPadFault;

    fn role(&self) -> &'static str {
        ROLE
    }

    fn on_attach(&mut self, now: Instant, _out: &mut Outbox) {
        self.epoch.get_or_insert(now);
    }

    fn on_bytes(&mut self, now: Instant, bytes: &[u8], out: &mut Outbox) {
        if self.faults.unplugged {
            return;
        }
        let t = self.link_time(now);
        self.link.handle_input(bytes, t);
        self.drain(now, out);
    }

    fn on_action(
        &mut self,
        now: Instant,
        action: PinPadAction,
        out: &mut Outbox,
    ) -> Result<(), DeviceError> {
        let mut replies = Vec::new();
        let detail = match &action {
            PinPadAction::Insert { card }
            | PinPadAction::Swipe { card }
            | PinPadAction::Tap { card } => {
                let c = self.card(card, action.name())?;
                format!("{} {}", c.name, c.masked_pan())
            }
            PinPadAction::EnterPin { pin: Some(pin) } => format!("{} digits", pin.len()),
            PinPadAction::EnterPin { pin: None } => "the card's PIN".into(),
            _ => String::new(),
        };
        let result = match &action {
            PinPadAction::Insert { card } => {
                let card = self.card(card, "insert")?;
                self.session
                    .insert(&card, self.faults.chip_failure, &mut replies, out)
            }
            PinPadAction::Swipe { card } => {
                let card = self.card(card, "swipe")?;
                self.session.swipe(&card, &mut replies, out)
            }
            PinPadAction::Tap { card } => {
                let card = self.card(card, "tap")?;
                self.session.tap(&card, &mut replies)
            }
            PinPadAction::Remove => self.session.remove(&mut replies, out),
            PinPadAction::EnterPin { pin } => self.session.enter_pin(pin.as_deref(), &mut replies),
            PinPadAction::BypassPin => self.session.bypass_pin(&mut replies),
            PinPadAction::CancelPin => self.session.cancel_pin(&mut replies),
        };
        out.event(DeviceEvent::Action {
            name: action.name().into(),
            detail: match &result {
                Ok(()) => detail,
                Err(e) => format!("{detail} refused: {e}").trim_start().to_string(),
            },
        });
        result?;
        self.send_all(now, replies, out);
        self.transmit(now, out);
        Ok(())
    }

    fn on_fault(
        &mut self,
        now: Instant,
        fault: PinPadFault,
        active: bool,
        out: &mut Outbox,
    ) -> Result<(), DeviceError> {
        match fault {
            PinPadFault::ChipFailure => self.faults.chip_failure = active,
            PinPadFault::Unplugged => self.faults.unplugged = active,
            PinPadFault::NakAll => self.faults.nak_all = active,
            PinPadFault::Slow { ms } => self.faults.slow_ms = active.then_some(ms),
            PinPadFault::CorruptLrc => self.faults.corrupt_lrc = active,
        }
        let name = match fault {
            PinPadFault::Slow { ms } if active => format!("slow {ms} ms"),
            other => other.name().to_string(),
        };
        out.event(if active {
            DeviceEvent::FaultInjected { fault: name }
        } else {
            DeviceEvent::FaultCleared { fault: name }
        });
        // Clearing `slow` lets nothing jump the queue; held bytes still leave in order.
        self.release_delayed(now, out);
        Ok(())
    }

    fn next_deadline(&self) -> Option<Instant> {
        let link = self
            .link
            .poll_timeout()
            .zip(self.epoch)
            .map(|(t, epoch)| epoch + t);
        [
            link,
            self.session.deadline(),
            self.delayed.front().map(|(at, _)| *at),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    fn on_timer(&mut self, now: Instant, out: &mut Outbox) {
        let t = self.link_time(now);
        self.link.handle_timeout(t);
        let mut replies = Vec::new();
        self.session.on_timer(now, &mut replies, out);
        self.send_all(now, replies, out);
        self.drain(now, out);
        self.release_delayed(now, out);
    }

    fn snapshot(&self) -> serde_json::Value {
        let mut state = self.session.snapshot();
        let extra = json!({
            "last_in": self.last_in,
            "last_out": self.last_out,
            "link_idle": self.link.is_idle(),
            "faults": self.faults.active(),
        });
        if let (Some(state), serde_json::Value::Object(extra)) = (state.as_object_mut(), extra) {
            state.extend(extra);
        }
        state
    }
}
