//! One transaction at the pad, from `S0` to the card leaving the slot: which phase the pad is
//! in, what its screen shows, which card was presented, and the PIN prompt. Sans-IO and
//! link-free: it takes decoded messages and actions and hands back the messages to send.

use std::collections::BTreeMap;
use std::time::Duration;

use posrig_protocols::pinpad::{
    AnswerCode, CardEntry, EmvDate, EntryModes, PadMessage, PadPhase, Pan, PinOutcome, TxnKind,
};
use posrig_sim::data::{Card, EntryAbility};
use serde_json::json;
use tokio::time::Instant;

use super::answer;
use super::keys::KeyStore;
use super::reader::{read_card, ReadContext};
use crate::device::{DeviceError, DeviceEvent, Outbox};

/// Where the pad is in a transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// No transaction.
    Idle,
    /// `S0` received; waiting for a card (`E0 0`).
    WaitingForCard,
    /// The chip failed; waiting for a swipe (`E0 2`).
    FallbackToSwipe,
    /// A card was read and `C0` sent; waiting for `P0` or the end of the transaction.
    CardRead(CardEntry),
    /// `P0` received; the cardholder is typing (`E0 7`).
    PinEntry,
    /// PIN entered or bypassed; the POS is asking the host (`E0 8`).
    Authorising,
    /// The transaction ended with the card still in the slot (`E0 R`).
    RemoveCard,
}

impl Phase {
    pub fn name(self) -> &'static str {
        match self {
            Phase::Idle => "idle",
            Phase::WaitingForCard => "waiting_for_card",
            Phase::FallbackToSwipe => "fallback_to_swipe",
            Phase::CardRead(_) => "card_read",
            Phase::PinEntry => "pin_entry",
            Phase::Authorising => "authorising",
            Phase::RemoveCard => "remove_card",
        }
    }
}

/// What `S0` announced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Txn {
    amount_minor: u64,
    currency: u16,
    kind: TxnKind,
    entries: EntryModes,
}

/// The card the cardholder presented.
#[derive(Debug, Clone)]
struct Presented {
    card: Card,
    entry: CardEntry,
    /// Whether the card sits in the chip slot (a swiped or tapped card does not).
    in_slot: bool,
}

/// An open PIN prompt.
#[derive(Debug, Clone)]
struct PinPrompt {
    pan: Pan,
    amount_minor: u64,
    deadline: Instant,
}

/// Terminal values the session needs from the pad's configuration.
#[derive(Debug, Clone, Copy)]
pub struct Terminal {
    pub pin_timeout: Duration,
    pub country: u16,
    pub date: EmvDate,
}

const DEVICE: &str = "pinpad";

/// The pad's transaction state machine.
#[derive(Debug)]
pub struct Session {
    keys: KeyStore,
    terminal: Terminal,
    phase: Phase,
    txn: Option<Txn>,
    card: Option<Presented>,
    pin: Option<PinPrompt>,
    screen: String,
    /// Application transaction counters by card name: a card's counter goes up with every chip
    /// or contactless read, as the chip's own does.
    atc: BTreeMap<String, u16>,
    txns_started: u64,
}

impl Session {
    pub fn new(keys: KeyStore, terminal: Terminal) -> Self {
        Self {
            keys,
            terminal,
            phase: Phase::Idle,
            txn: None,
            card: None,
            pin: None,
            screen: idle_screen(),
            atc: BTreeMap::new(),
            txns_started: 0,
        }
    }

    pub fn phase(&self) -> Phase {
        self.phase
    }

    pub fn screen(&self) -> &str {
        &self.screen
    }

    /// A message from the POS. Answers go to `replies`, in order.
    pub fn on_message(
        &mut self,
        now: Instant,
        message: PadMessage,
        replies: &mut Vec<PadMessage>,
        out: &mut Outbox,
    ) {
        match message {
            PadMessage::LoadPinKey {
                pik_under_master,
                kcv,
            } => match self.keys.load_pik(pik_under_master, kcv) {
                Ok(()) => replies.push(answer(answer::ACCEPTED)),
                Err(e) => {
                    out.event(note("key_refused", e.to_string()));
                    replies.push(answer(answer::BAD_KEY_CHECK_VALUE));
                }
            },
            PadMessage::Start {
                amount_minor,
                currency,
                kind,
                entries,
            } => {
                let txn = Txn {
                    amount_minor,
                    currency,
                    kind,
                    entries,
                };
                if self.phase == Phase::Idle {
                    self.txns_started += 1;
                    self.txn = Some(txn);
                    self.set_phase(Phase::WaitingForCard, replies);
                    self.screen = format!("{} {}", amount(amount_minor), present_words(entries));
                } else if self.phase == Phase::WaitingForCard && self.txn == Some(txn) {
                    // The POS sent the same S0 again because our ACK was lost: already done.
                    out.event(note("duplicate", "S0 repeated while waiting for a card"));
                } else {
                    replies.push(answer(answer::BUSY));
                }
            }
            PadMessage::RequestPin { pan, amount_minor } => {
                let same_prompt = self
                    .pin
                    .as_ref()
                    .is_some_and(|p| p.pan == pan && p.amount_minor == amount_minor);
                if self.phase == Phase::PinEntry && same_prompt {
                    out.event(note("duplicate", "P0 repeated during PIN entry"));
                } else if !matches!(self.phase, Phase::CardRead(_)) {
                    replies.push(answer(answer::NOT_NOW));
                } else if !self.keys.has_pik() {
                    replies.push(answer(answer::NO_PIN_KEY));
                } else {
                    self.screen = format!("{} ENTER PIN", amount(amount_minor));
                    self.pin = Some(PinPrompt {
                        pan,
                        amount_minor,
                        deadline: now + self.terminal.pin_timeout,
                    });
                    self.set_phase(Phase::PinEntry, replies);
                }
            }
            PadMessage::Display { text } => {
                self.screen = text;
                replies.push(answer(answer::ACCEPTED));
            }
            PadMessage::Abort => {
                replies.push(answer(answer::ACCEPTED));
                self.end_transaction(replies);
            }
            PadMessage::Phase(_)
            | PadMessage::Card { .. }
            | PadMessage::PinResult(_)
            | PadMessage::CardRemoved
            | PadMessage::Answer { .. } => replies.push(answer(answer::BAD_MESSAGE)),
        }
    }

    /// A payload that did not parse as a message.
    pub fn on_bad_message(&mut self, replies: &mut Vec<PadMessage>) {
        replies.push(answer(answer::BAD_MESSAGE));
    }

    /// The cardholder inserts `card`. With a failing chip the pad asks for a swipe instead and
    /// the cardholder takes the card back out as told, so no `R0` follows.
    pub fn insert(
        &mut self,
        card: &Card,
        chip_failure: bool,
        replies: &mut Vec<PadMessage>,
        out: &mut Outbox,
    ) -> Result<(), DeviceError> {
        if self.card.as_ref().is_some_and(|c| c.in_slot) {
            return Err(not_now("insert", "a card is already in the slot"));
        }
        let txn =
            self.expect_card_phase("insert", &[Phase::WaitingForCard, Phase::FallbackToSwipe])?;
        check_ability(card, EntryAbility::Chip, "inserted", "has no chip")?;
        if !txn.entries.chip {
            return Err(not_now(
                "insert",
                "the POS did not enable chip reading (S0)",
            ));
        }
        if chip_failure {
            out.event(note(
                "chip_error",
                format!("{}: chip not readable", card.masked_pan()),
            ));
            self.screen = "CHIP ERROR - SWIPE CARD".into();
            self.set_phase(Phase::FallbackToSwipe, replies);
            return Ok(());
        }
        self.read(card, CardEntry::Chip, true, replies)
    }

    /// The cardholder swipes `card`.
    pub fn swipe(
        &mut self,
        card: &Card,
        replies: &mut Vec<PadMessage>,
        out: &mut Outbox,
    ) -> Result<(), DeviceError> {
        let txn =
            self.expect_card_phase("swipe", &[Phase::WaitingForCard, Phase::FallbackToSwipe])?;
        check_ability(
            card,
            EntryAbility::Swipe,
            "swiped",
            "has no magnetic stripe",
        )?;
        if self.phase == Phase::FallbackToSwipe {
            // The pad asked for this swipe itself, so S0's entry modes do not apply.
            return self.read(card, CardEntry::Fallback, false, replies);
        }
        if !txn.entries.swipe {
            return Err(not_now("swipe", "the POS did not enable swiping (S0)"));
        }
        if card.has_chip() && txn.entries.chip {
            out.event(note(
                "use_chip",
                format!("{}: chip card swiped", card.masked_pan()),
            ));
            self.screen = "USE CHIP".into();
            return Ok(());
        }
        self.read(card, CardEntry::Swipe, false, replies)
    }

    /// The cardholder taps `card`.
    pub fn tap(&mut self, card: &Card, replies: &mut Vec<PadMessage>) -> Result<(), DeviceError> {
        let txn = self.expect_card_phase("tap", &[Phase::WaitingForCard])?;
        check_ability(card, EntryAbility::Tap, "tapped", "is not contactless")?;
        if !txn.entries.tap {
            return Err(not_now("tap", "the POS did not enable contactless (S0)"));
        }
        self.read(card, CardEntry::Tap, false, replies)
    }

    /// The cardholder takes the card out of the slot: `R0`, and the transaction is over. Before
    /// the POS ended the transaction, that is a card pulled early.
    pub fn remove(
        &mut self,
        replies: &mut Vec<PadMessage>,
        out: &mut Outbox,
    ) -> Result<(), DeviceError> {
        if !self.card.as_ref().is_some_and(|c| c.in_slot) {
            return Err(not_now("remove", "no card is in the slot"));
        }
        if self.phase != Phase::RemoveCard {
            out.event(note(
                "card_pulled_early",
                format!("card removed during {}", self.phase.name()),
            ));
        }
        replies.push(PadMessage::CardRemoved);
        self.card = None;
        self.pin = None;
        self.txn = None;
        self.phase = Phase::Idle;
        self.screen = idle_screen();
        Ok(())
    }

    /// The cardholder types a PIN (or, with `None`, the presented card's own PIN).
    pub fn enter_pin(
        &mut self,
        pin: Option<&str>,
        replies: &mut Vec<PadMessage>,
    ) -> Result<(), DeviceError> {
        let prompt = self.expect_pin_prompt("enter_pin")?;
        let pin = match pin {
            Some(pin) => pin.to_string(),
            None => self
                .card
                .as_ref()
                .map(|c| c.card.pin.clone())
                .ok_or_else(|| not_now("enter_pin", "no card was presented to take a PIN from"))?,
        };
        if !(4..=12).contains(&pin.len()) || !pin.bytes().all(|b| b.is_ascii_digit()) {
            // The length is safe to say; the characters are not.
            return Err(DeviceError::BadRequest {
                device: DEVICE,
                what: "action",
                message: format!(
                    "PIN must be 4 to 12 digits, got {} characters",
                    pin.chars().count()
                ),
            });
        }
        let block = self
            .keys
            .pin_block(&pin, &prompt.pan)
            .map_err(|e| not_now("enter_pin", &e.to_string()))?;
        self.finish_pin(PinOutcome::Ok(block), replies);
        Ok(())
    }

    pub fn bypass_pin(&mut self, replies: &mut Vec<PadMessage>) -> Result<(), DeviceError> {
        self.expect_pin_prompt("bypass_pin")?;
        self.finish_pin(PinOutcome::Bypass, replies);
        Ok(())
    }

    pub fn cancel_pin(&mut self, replies: &mut Vec<PadMessage>) -> Result<(), DeviceError> {
        self.expect_pin_prompt("cancel_pin")?;
        self.finish_pin(PinOutcome::Cancel, replies);
        Ok(())
    }

    /// When the PIN prompt times out, if one is open.
    pub fn deadline(&self) -> Option<Instant> {
        self.pin.as_ref().map(|p| p.deadline)
    }

    pub fn on_timer(&mut self, now: Instant, replies: &mut Vec<PadMessage>, out: &mut Outbox) {
        if self.pin.as_ref().is_some_and(|p| now >= p.deadline) {
            out.event(note("pin_timeout", "no PIN entered in time"));
            self.finish_pin(PinOutcome::Timeout, replies);
        }
    }

    /// The session's part of the pad's snapshot. Card data appears masked only.
    pub fn snapshot(&self) -> serde_json::Value {
        json!({
            "phase": self.phase.name(),
            "screen": self.screen,
            "card": self.card.as_ref().map(|c| json!({
                "name": c.card.name,
                "pan": c.card.masked_pan(),
                "entry": entry_name(c.entry),
                "in_slot": c.in_slot,
            })),
            "pik_kcv": self.keys.pik_kcv(),
            "amount_minor": self.txn.map(|t| t.amount_minor),
            "currency": self.txn.map(|t| t.currency),
            "pin_prompt": self.pin.is_some(),
        })
    }

    fn read(
        &mut self,
        card: &Card,
        entry: CardEntry,
        in_slot: bool,
        replies: &mut Vec<PadMessage>,
    ) -> Result<(), DeviceError> {
        let txn = self.txn.expect("a card phase always has a transaction");
        let atc = match entry {
            CardEntry::Chip | CardEntry::Tap => {
                let atc = self.atc.entry(card.name.clone()).or_insert(0);
                *atc = atc.wrapping_add(1);
                *atc
            }
            CardEntry::Swipe | CardEntry::Fallback => {
                self.atc.get(&card.name).copied().unwrap_or(0)
            }
        };
        let ctx = ReadContext {
            amount_minor: txn.amount_minor,
            currency: txn.currency,
            kind: txn.kind,
            country: self.terminal.country,
            date: self.terminal.date,
            atc,
            txn_number: self.txns_started,
        };
        let c0 = read_card(card, entry, &ctx).map_err(|e| DeviceError::BadRequest {
            device: DEVICE,
            what: "card",
            message: e.to_string(),
        })?;
        let phase = match entry {
            CardEntry::Chip => PadPhase::ChipInserted,
            CardEntry::Swipe | CardEntry::Fallback => PadPhase::Swiped,
            CardEntry::Tap => PadPhase::ContactlessRead,
        };
        replies.push(PadMessage::Phase(phase));
        replies.push(c0);
        self.card = Some(Presented {
            card: card.clone(),
            entry,
            in_slot,
        });
        self.phase = Phase::CardRead(entry);
        self.screen = "PROCESSING".into();
        Ok(())
    }

    fn finish_pin(&mut self, outcome: PinOutcome, replies: &mut Vec<PadMessage>) {
        self.pin = None;
        replies.push(PadMessage::PinResult(outcome));
        match outcome {
            PinOutcome::Ok(_) | PinOutcome::Bypass => {
                self.screen = "PLEASE WAIT".into();
                self.set_phase(Phase::Authorising, replies);
            }
            // The card is still read; the POS decides whether to ask again or abort.
            PinOutcome::Cancel | PinOutcome::Timeout => {
                let entry = self.card.as_ref().map_or(CardEntry::Swipe, |c| c.entry);
                self.phase = Phase::CardRead(entry);
                self.screen = match outcome {
                    PinOutcome::Cancel => "CANCELLED".into(),
                    _ => "TIMEOUT".into(),
                };
            }
        }
    }

    /// `X0`, or the POS is done: back to idle, or to "remove card" while a card is in the slot.
    fn end_transaction(&mut self, replies: &mut Vec<PadMessage>) {
        self.txn = None;
        self.pin = None;
        if self.card.as_ref().is_some_and(|c| c.in_slot) {
            self.screen = "REMOVE CARD".into();
            self.set_phase(Phase::RemoveCard, replies);
        } else {
            self.card = None;
            self.phase = Phase::Idle;
            self.screen = idle_screen();
        }
    }

    fn set_phase(&mut self, phase: Phase, replies: &mut Vec<PadMessage>) {
        self.phase = phase;
        let wire = match phase {
            Phase::WaitingForCard => PadPhase::WaitingForCard,
            Phase::FallbackToSwipe => PadPhase::FallbackToSwipe,
            Phase::PinEntry => PadPhase::PinEntry,
            Phase::Authorising => PadPhase::Authorising,
            Phase::RemoveCard => PadPhase::RemoveCard,
            Phase::Idle | Phase::CardRead(_) => return,
        };
        replies.push(PadMessage::Phase(wire));
    }

    fn expect_card_phase(&self, action: &str, phases: &[Phase]) -> Result<Txn, DeviceError> {
        match self.txn {
            Some(txn) if phases.contains(&self.phase) => Ok(txn),
            None => Err(not_now(
                action,
                "no transaction started (the POS has not sent S0)",
            )),
            Some(_) => Err(not_now(
                action,
                &format!(
                    "the pad is not waiting for a card (phase {})",
                    self.phase.name()
                ),
            )),
        }
    }

    fn expect_pin_prompt(&self, action: &str) -> Result<PinPrompt, DeviceError> {
        self.pin
            .clone()
            .ok_or_else(|| not_now(action, "the pad is not asking for a PIN (no P0)"))
    }
}

fn check_ability(
    card: &Card,
    ability: EntryAbility,
    verb: &str,
    lacks: &str,
) -> Result<(), DeviceError> {
    if card.can(ability) {
        return Ok(());
    }
    Err(DeviceError::NotNow {
        device: DEVICE,
        action: format!("{verb} card `{}`", card.name),
        reason: format!("the card {lacks} (its card-file entry list)"),
    })
}

fn not_now(action: &str, reason: &str) -> DeviceError {
    DeviceError::NotNow {
        device: DEVICE,
        action: action.to_string(),
        reason: reason.to_string(),
    }
}

fn answer(code: &str) -> PadMessage {
    PadMessage::Answer {
        code: AnswerCode::new(code).expect("answer codes are short alphanumerics"),
    }
}

/// Something the pad did on its own, reported as an action event named for it.
pub(crate) fn note(name: &str, detail: impl Into<String>) -> DeviceEvent {
    DeviceEvent::Action {
        name: name.into(),
        detail: detail.into(),
    }
}

fn idle_screen() -> String {
    "WELCOME".into()
}

/// Minor units as major units with two decimals (every currency the test cards use has two).
fn amount(minor: u64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

fn present_words(entries: EntryModes) -> String {
    let words: Vec<&str> = [
        (entries.chip, "INSERT"),
        (entries.swipe, "SWIPE"),
        (entries.tap, "TAP"),
    ]
    .into_iter()
    .filter(|(on, _)| *on)
    .map(|(_, w)| w)
    .collect();
    format!("{} CARD", words.join("/"))
}

pub(crate) fn entry_name(entry: CardEntry) -> &'static str {
    match entry {
        CardEntry::Chip => "chip",
        CardEntry::Swipe => "swipe",
        CardEntry::Tap => "tap",
        CardEntry::Fallback => "fallback",
    }
}
