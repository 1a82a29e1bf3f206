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
            PinPadAction::Remove {} => self.session.remove(&mut replies, out),
            PinPadAction::EnterPin { pin } => self.session.enter_pin(pin.as_deref(), &mut replies),
            PinPadAction::BypassPin {} => self.session.bypass_pin(&mut replies),
            PinPadAction::CancelPin {} => self.session.cancel_pin(&mut replies),
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
            PinPadFault::ChipFailure {} => self.faults.chip_failure = active,
            PinPadFault::Unplugged {} => self.faults.unplugged = active,
            PinPadFault::NakAll {} => self.faults.nak_all = active,
            PinPadFault::Slow { ms } => self.faults.slow_ms = active.then_some(ms),
            PinPadFault::CorruptLrc {} => self.faults.corrupt_lrc = active,
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

#[cfg(test)]
mod tests {
    use super::*;
    use posrig_protocols::crypto::{decode_pin_block, TdesKey};
    use posrig_protocols::pinpad::{
        encode_frame, CardEntry, Field55, FrameDecoder, LinkEvent, PadPhase, PinOutcome,
    };

    const PIK_UNDER_TMK: &str = "6701EAD6A9AD51E51AA406E2C27FCFA9";
    const PIK_KCV: &str = "8D0A74B8";
    const PIK_CLEAR: &str = "807A23AD32B36D457AE91FDF927570EA";

    fn cards() -> Arc<CardFile> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../scenarios/data/cards.yaml");
        Arc::new(CardFile::load(std::path::Path::new(path)).unwrap())
    }

    /// The POS side of a unit test: raw frames in, frames out, every pad frame ACKed.
    struct Pos {
        pad: PinPad,
        now: Instant,
        decoder: FrameDecoder,
        /// Raw ACK/NAK bytes the pad sent.
        link_bytes: Vec<u8>,
        events: Vec<DeviceEvent>,
    }

    impl Pos {
        fn new(config: PinPadConfig) -> Self {
            let mut pad = PinPad::new(config, cards()).unwrap();
            let now = Instant::now();
            pad.on_attach(now, &mut Outbox::default());
            Self {
                pad,
                now,
                decoder: FrameDecoder::new(),
                link_bytes: Vec::new(),
                events: Vec::new(),
            }
        }

        /// Parse what the pad wrote; ACK every frame (which may release the next one).
        fn collect(&mut self, out: Outbox, ack: bool) -> Vec<Vec<u8>> {
            self.events.extend(out.events);
            self.decoder.push(&out.bytes);
            let mut frames = Vec::new();
            while let Some(ev) = self.decoder.next_event() {
                match ev.unwrap() {
                    LinkEvent::Frame(p) => frames.push(p),
                    LinkEvent::Ack => self.link_bytes.push(ACK),
                    LinkEvent::Nak => self.link_bytes.push(NAK),
                }
            }
            if ack && !frames.is_empty() {
                for _ in 0..frames.len() {
                    let mut out = Outbox::default();
                    self.pad.on_bytes(self.now, &[ACK], &mut out);
                    frames.extend(self.collect(out, true));
                }
            }
            frames
        }

        fn raw(&mut self, bytes: &[u8]) -> Vec<Vec<u8>> {
            let mut out = Outbox::default();
            self.pad.on_bytes(self.now, bytes, &mut out);
            self.collect(out, true)
        }

        fn send(&mut self, payload: &[u8]) -> Vec<PadMessage> {
            let frame = encode_frame(payload).unwrap();
            self.raw(&frame)
                .iter()
                .map(|p| PadMessage::parse(p).unwrap())
                .collect()
        }

        fn act(&mut self, action: PinPadAction) -> Result<Vec<PadMessage>, DeviceError> {
            let mut out = Outbox::default();
            self.pad.on_action(self.now, action, &mut out)?;
            Ok(self
                .collect(out, true)
                .iter()
                .map(|p| PadMessage::parse(p).unwrap())
                .collect())
        }

        fn fault(&mut self, fault: PinPadFault, on: bool) {
            let mut out = Outbox::default();
            self.pad.on_fault(self.now, fault, on, &mut out).unwrap();
            self.collect(out, false);
        }

        fn load_key(&mut self) {
            let k0 = format!("K0\x1c{PIK_UNDER_TMK}\x1c{PIK_KCV}");
            assert_eq!(self.send(k0.as_bytes()), vec![a0("00")]);
        }

        fn start(&mut self, entries: &str) {
            let s0 = format!("S0\x1c1250\x1c156\x1cSALE\x1c{entries}");
            assert_eq!(
                self.send(s0.as_bytes()),
                vec![PadMessage::Phase(PadPhase::WaitingForCard)]
            );
        }
    }

    fn a0(code: &str) -> PadMessage {
        PadMessage::Answer {
            code: posrig_protocols::pinpad::AnswerCode::new(code).unwrap(),
        }
    }

    fn insert(card: &str) -> PinPadAction {
        PinPadAction::Insert { card: card.into() }
    }

    fn swipe(card: &str) -> PinPadAction {
        PinPadAction::Swipe { card: card.into() }
    }

    #[test]
    fn chip_flow_from_key_load_to_pin_block() {
        let mut pos = Pos::new(PinPadConfig::default());
        pos.load_key();
        assert_eq!(pos.pad.snapshot()["pik_kcv"], PIK_KCV);
        pos.start("CST");
        let msgs = pos.act(insert("chip-ok")).unwrap();
        assert_eq!(msgs[0], PadMessage::Phase(PadPhase::ChipInserted));
        let PadMessage::Card {
            entry,
            track2,
            icc_tlv,
            ..
        } = &msgs[1]
        else {
            panic!("expected C0, got {msgs:?}")
        };
        assert_eq!(*entry, CardEntry::Chip);
        let card = cards().by_name("chip-ok").unwrap().clone();
        assert_eq!(track2.pan.as_str(), card.pan);
        let f55 = Field55::parse(icc_tlv).unwrap();
        assert_eq!(f55.data.amount_minor, 1250);
        assert!(f55.data.verify_arqc(&card.icc_key(), f55.arqc));

        let p0 = format!("P0\x1c{}\x1c1250", card.pan);
        assert_eq!(
            pos.send(p0.as_bytes()),
            vec![PadMessage::Phase(PadPhase::PinEntry)]
        );
        let msgs = pos.act(PinPadAction::EnterPin { pin: None }).unwrap();
        let PadMessage::PinResult(PinOutcome::Ok(block)) = msgs[0] else {
            panic!("expected P1 OK, got {msgs:?}")
        };
        assert_eq!(msgs[1], PadMessage::Phase(PadPhase::Authorising));
        let pik = TdesKey::from_hex(PIK_CLEAR).unwrap();
        let clear = pik.decrypt_block(block.bytes());
        assert_eq!(decode_pin_block(clear, &card.pan).unwrap(), card.pin);

        // The POS ends the transaction: the card must come out.
        assert_eq!(
            pos.send(b"X0"),
            vec![a0("00"), PadMessage::Phase(PadPhase::RemoveCard)]
        );
        assert_eq!(
            pos.act(PinPadAction::Remove {}).unwrap(),
            vec![PadMessage::CardRemoved]
        );
        assert_eq!(pos.pad.snapshot()["phase"], "idle");
    }

    #[test]
    fn every_pos_frame_is_acked_before_the_answer() {
        let mut pos = Pos::new(PinPadConfig::default());
        let mut out = Outbox::default();
        pos.pad
            .on_bytes(pos.now, &encode_frame(b"D0\x1cHELLO").unwrap(), &mut out);
        assert_eq!(out.bytes[0], ACK);
        assert_eq!(&out.bytes[1..], encode_frame(b"A0\x1c00").unwrap());
        assert_eq!(pos.pad.snapshot()["screen"], "HELLO");
    }

    #[test]
    fn chip_failure_falls_back_to_a_swipe_without_chip_data() {
        let mut pos = Pos::new(PinPadConfig::default());
        pos.start("CST");
        pos.fault(PinPadFault::ChipFailure {}, true);
        assert_eq!(
            pos.act(insert("chip-ok")).unwrap(),
            vec![PadMessage::Phase(PadPhase::FallbackToSwipe)]
        );
        let msgs = pos.act(swipe("chip-ok")).unwrap();
        assert_eq!(msgs[0], PadMessage::Phase(PadPhase::Swiped));
        assert!(matches!(
            &msgs[1],
            PadMessage::Card { entry: CardEntry::Fallback, icc_tlv, .. } if icc_tlv.is_empty()
        ));
    }

    #[test]
    fn chip_card_swiped_is_told_to_use_the_chip() {
        let mut pos = Pos::new(PinPadConfig::default());
        pos.start("CST");
        assert!(pos.act(swipe("chip-ok")).unwrap().is_empty());
        let snap = pos.pad.snapshot();
        assert_eq!(snap["screen"], "USE CHIP");
        assert_eq!(snap["phase"], "waiting_for_card");
        // Inserting it then works as usual.
        assert_eq!(pos.act(insert("chip-ok")).unwrap().len(), 2);
    }

    #[test]
    fn magstripe_swipe_and_contactless_tap() {
        let mut pos = Pos::new(PinPadConfig::default());
        pos.start("CST");
        let msgs = pos.act(swipe("swipe-only")).unwrap();
        assert_eq!(msgs[0], PadMessage::Phase(PadPhase::Swiped));
        assert!(matches!(
            msgs[1],
            PadMessage::Card {
                entry: CardEntry::Swipe,
                ..
            }
        ));
        pos.send(b"X0");

        pos.start("CST");
        let msgs = pos
            .act(PinPadAction::Tap {
                card: "tap-ok".into(),
            })
            .unwrap();
        assert_eq!(msgs[0], PadMessage::Phase(PadPhase::ContactlessRead));
        assert!(matches!(
            &msgs[1],
            PadMessage::Card { entry: CardEntry::Tap, icc_tlv, .. } if !icc_tlv.is_empty()
        ));
    }

    #[test]
    fn actions_the_card_or_the_transaction_does_not_allow_are_refused() {
        let mut pos = Pos::new(PinPadConfig::default());
        let err = pos.act(insert("chip-ok")).unwrap_err();
        assert!(err.to_string().contains("S0"), "{err}");
        pos.start("CS");
        let err = pos.act(insert("swipe-only")).unwrap_err();
        assert!(err.to_string().contains("no chip"), "{err}");
        let err = pos
            .act(PinPadAction::Tap {
                card: "tap-ok".into(),
            })
            .unwrap_err();
        assert!(err.to_string().contains("contactless"), "{err}");
        let err = pos.act(insert("no-such-card")).unwrap_err();
        assert!(
            err.to_string().contains("chip-ok"),
            "lists known cards: {err}"
        );
        let err = pos.act(PinPadAction::Remove {}).unwrap_err();
        assert!(err.to_string().contains("slot"), "{err}");
        let err = pos.act(PinPadAction::EnterPin { pin: None }).unwrap_err();
        assert!(err.to_string().contains("PIN"), "{err}");
    }

    #[test]
    fn remove_during_pin_entry_sends_r0_and_no_p1() {
        let mut pos = Pos::new(PinPadConfig::default());
        pos.load_key();
        pos.start("CST");
        pos.act(insert("chip-ok")).unwrap();
        pos.send(b"P0\x1c6222021000000000017\x1c1250");
        assert_eq!(
            pos.act(PinPadAction::Remove {}).unwrap(),
            vec![PadMessage::CardRemoved]
        );
        assert!(pos.pad.next_deadline().is_none(), "the PIN prompt is gone");
        assert!(pos
            .events
            .iter()
            .any(|e| matches!(e, DeviceEvent::Action { name, .. } if name == "card_pulled_early")));
    }

    #[test]
    fn pin_timeout_answers_p1_timeout_at_the_deadline() {
        let mut pos = Pos::new(PinPadConfig {
            pin_timeout_ms: 500,
            ..PinPadConfig::default()
        });
        pos.load_key();
        pos.start("CST");
        pos.act(insert("chip-ok")).unwrap();
        pos.send(b"P0\x1c6222021000000000017\x1c1250");
        let deadline = pos.pad.next_deadline().unwrap();
        assert_eq!(deadline, pos.now + Duration::from_millis(500));
        let mut out = Outbox::default();
        pos.pad.on_timer(deadline, &mut out);
        let frames = pos.collect(out, true);
        assert_eq!(
            PadMessage::parse(&frames[0]).unwrap(),
            PadMessage::PinResult(PinOutcome::Timeout)
        );
        let err = pos.act(PinPadAction::EnterPin { pin: None }).unwrap_err();
        assert!(matches!(err, DeviceError::NotNow { .. }));
    }

    #[test]
    fn bypass_and_cancel() {
        let mut pos = Pos::new(PinPadConfig::default());
        pos.load_key();
        pos.start("CST");
        pos.act(swipe("swipe-only")).unwrap();
        pos.send(b"P0\x1c6217001000000000037\x1c1250");
        assert_eq!(
            pos.act(PinPadAction::CancelPin {}).unwrap(),
            vec![PadMessage::PinResult(PinOutcome::Cancel)]
        );
        pos.send(b"P0\x1c6217001000000000037\x1c1250");
        assert_eq!(
            pos.act(PinPadAction::BypassPin {}).unwrap(),
            vec![
                PadMessage::PinResult(PinOutcome::Bypass),
                PadMessage::Phase(PadPhase::Authorising)
            ]
        );
    }

    #[test]
    fn refusals_by_answer_code() {
        let mut pos = Pos::new(PinPadConfig::default());
        let bad_kcv = format!("K0\x1c{PIK_UNDER_TMK}\x1c00000000");
        assert_eq!(pos.send(bad_kcv.as_bytes()), vec![a0("01")]);
        assert_eq!(pos.pad.snapshot()["pik_kcv"], serde_json::Value::Null);
        pos.start("CST");
        assert_eq!(
            pos.send(b"P0\x1c6222021000000000017\x1c1250"),
            vec![a0("04")],
            "no card read yet"
        );
        pos.act(insert("chip-ok")).unwrap();
        assert_eq!(
            pos.send(b"P0\x1c6222021000000000017\x1c1250"),
            vec![a0("02")],
            "no PIN key"
        );
        assert_eq!(
            pos.send(b"S0\x1c1\x1c156\x1cSALE\x1cC"),
            vec![a0("03")],
            "busy"
        );
        assert_eq!(pos.send(b"ZZ"), vec![a0("05")]);
    }

    #[test]
    fn a_repeated_s0_is_taken_as_a_retransmission() {
        let mut pos = Pos::new(PinPadConfig::default());
        pos.start("CST");
        assert!(pos.send(b"S0\x1c1250\x1c156\x1cSALE\x1cCST").is_empty());
    }

    #[test]
    fn pad_frames_are_resent_on_silence_then_given_up() {
        let mut pos = Pos::new(PinPadConfig::default());
        let mut out = Outbox::default();
        pos.pad
            .on_bytes(pos.now, &encode_frame(b"X0").unwrap(), &mut out);
        let first = pos.collect(out, false);
        assert_eq!(first.len(), 1);
        let mut sent = 1;
        while let Some(at) = pos.pad.next_deadline() {
            let mut out = Outbox::default();
            pos.pad.on_timer(at, &mut out);
            sent += pos.collect(out, false).len();
        }
        assert_eq!(sent, 4, "first try and 3 retries");
        assert!(pos
            .events
            .iter()
            .any(|e| matches!(e, DeviceEvent::Action { name, .. } if name == "frame_given_up")));
    }

    #[test]
    fn nak_all_answers_nak_and_acts_on_nothing() {
        let mut pos = Pos::new(PinPadConfig::default());
        pos.fault(PinPadFault::NakAll {}, true);
        assert!(pos.send(b"D0\x1cHI").is_empty());
        assert_eq!(pos.link_bytes, vec![NAK]);
        assert_eq!(pos.pad.snapshot()["screen"], "WELCOME");
    }

    #[test]
    fn corrupt_lrc_spoils_one_frame_and_the_resend_is_good() {
        let mut pos = Pos::new(PinPadConfig::default());
        pos.fault(PinPadFault::CorruptLrc {}, true);
        let mut out = Outbox::default();
        pos.pad
            .on_bytes(pos.now, &encode_frame(b"X0").unwrap(), &mut out);
        let good = encode_frame(b"A0\x1c00").unwrap();
        assert_eq!(out.bytes[0], ACK);
        assert_eq!(out.bytes.len(), 1 + good.len());
        assert_ne!(&out.bytes[1..], &good[..]);
        let mut out = Outbox::default();
        pos.pad.on_bytes(pos.now, &[NAK], &mut out);
        assert_eq!(out.bytes, good);
    }

    #[test]
    fn unplugged_pad_hears_nothing_and_says_nothing() {
        let mut pos = Pos::new(PinPadConfig::default());
        pos.fault(PinPadFault::Unplugged {}, true);
        let mut out = Outbox::default();
        pos.pad
            .on_bytes(pos.now, &encode_frame(b"D0\x1cHI").unwrap(), &mut out);
        assert!(out.bytes.is_empty());
        assert_eq!(pos.pad.snapshot()["screen"], "WELCOME");
    }

    #[test]
    fn slow_holds_every_byte_for_the_delay() {
        let mut pos = Pos::new(PinPadConfig::default());
        pos.fault(PinPadFault::Slow { ms: 800 }, true);
        let mut out = Outbox::default();
        pos.pad
            .on_bytes(pos.now, &encode_frame(b"X0").unwrap(), &mut out);
        assert!(out.bytes.is_empty());
        let at = pos.pad.next_deadline().unwrap();
        assert_eq!(at, pos.now + Duration::from_millis(800));
        let mut out = Outbox::default();
        pos.pad.on_timer(at, &mut out);
        assert_eq!(out.bytes[0], ACK);
        assert_eq!(&out.bytes[1..], encode_frame(b"A0\x1c00").unwrap());
    }

    #[test]
    fn nothing_the_pad_reports_holds_a_pan_track2_or_pin() {
        let mut pos = Pos::new(PinPadConfig::default());
        pos.load_key();
        pos.start("CST");
        pos.act(insert("chip-ok")).unwrap();
        pos.send(b"P0\x1c6222021000000000017\x1c1250");
        let snapshot_during_pin = pos.pad.snapshot().to_string();
        pos.act(PinPadAction::EnterPin {
            pin: Some("1234".into()),
        })
        .unwrap();
        let shown = format!(
            "{:?}{}{}{:?}",
            pos.events,
            snapshot_during_pin,
            pos.pad.snapshot(),
            pos.pad
        );
        assert!(!shown.contains("6222021000000000017"), "{shown}");
        assert!(!shown.contains("1234"), "{shown}");
        assert!(shown.contains("622202*********0017"));
    }
}
