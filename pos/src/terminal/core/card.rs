//! The card tender: start the pad (`S0`), follow its phases (`E0`), take the card (`C0`), ask
//! for the PIN (`P0`/`P1`), record the pending tender (masked PAN only) and hand the card data
//! to the host client in memory, then apply the host's outcome. Declines and no-responses go
//! back to the tender choice, so another tender can follow.

use std::fmt;
use std::time::Duration;

use posrig_protocols::keyboard::Key;
use posrig_protocols::pinpad::{
    CardEntry, Expiry, PadMessage, PadPhase, PinBlock, PinOutcome, Track2, TxnKind,
};

use super::command::CardRequest;
use super::input::HostOutcome;
use super::ui::wrap2;
use super::{txn_kind, Command, Phase, TerminalCore};
use crate::journal::PendingTender;
use crate::money::Money;
use crate::sale::SaleKind;
use crate::tender::{CardTender, EntryMode, MaskedPan, Tender, TenderKind};

/// A card flow in progress.
#[derive(Debug)]
pub(super) struct CardFlow {
    /// Amount of this tender.
    pub amount: Money,
    /// Sale or refund.
    pub kind: TxnKind,
    /// Where the flow is.
    pub step: CardStep,
    /// When the flow started (for the overall pad timeout).
    pub started: Duration,
    /// The overall pad timeout.
    pub timeout: Duration,
    /// Line 1 while waiting for the card (follows the pad's phases).
    pub prompt: &'static str,
}

impl CardFlow {
    /// The overall timeout, while waiting on the cardholder (not while the host decides: the
    /// host client has its own timeout and always answers).
    pub fn deadline(&self) -> Option<Duration> {
        match self.step {
            CardStep::Authorising(_) => None,
            _ => Some(self.started + self.timeout),
        }
    }
}

/// Steps of a card flow.
#[derive(Debug)]
pub(super) enum CardStep {
    /// `S0` sent; waiting for `C0`.
    WaitCard,
    /// `P0` sent; waiting for `P1`.
    WaitPin { card: CardRead },
    /// The request is with the host client.
    Authorising(Authorising),
}

/// The card data from `C0`, in memory only. `Debug` shows the masked PAN only.
pub(super) struct CardRead {
    pub entry: CardEntry,
    pub track2: Track2,
    pub expiry: Expiry,
    pub icc_tlv: Vec<u8>,
}

impl fmt::Debug for CardRead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CardRead")
            .field("entry", &self.entry)
            .field("pan", &self.track2.pan)
            .finish_non_exhaustive()
    }
}

/// What is kept while the host decides: enough to build the tender record, no card data.
#[derive(Debug)]
pub(super) struct Authorising {
    pub masked: MaskedPan,
    pub entry: EntryMode,
    pub amount: Money,
}

pub(super) fn entry_mode(e: CardEntry) -> EntryMode {
    match e {
        CardEntry::Chip => EntryMode::Chip,
        CardEntry::Swipe => EntryMode::Swipe,
        CardEntry::Tap => EntryMode::Tap,
        CardEntry::Fallback => EntryMode::Fallback,
    }
}

/// UnionPay cards (BIN 62…) are domestic for settlement totals; others are foreign.
fn is_domestic(masked: &MaskedPan) -> bool {
    masked.as_str().starts_with("62")
}

/// The result shown on the pad. Every caller follows it with `X0`: the pad keeps its
/// transaction open until the POS ends it (or a chip card is pulled), and refuses the next `S0`
/// with `03` otherwise (found by the scenario runner: tap, then any card sale).
pub(super) fn pad_text(text: &str) -> Command {
    Command::Pad(PadMessage::Display { text: text.into() })
}

impl TerminalCore {
    pub(super) fn card_tender_key(&mut self) {
        if self.sign_on_required {
            // A PIN block made under the stale key would be declined 55.
            self.entry.clear();
            return self.say("SIGN ON FIRST", "PRESS SIGNON");
        }
        let Some(amount) = self.tender_amount() else {
            return;
        };
        let kind = txn_kind(self.sale.as_ref().expect("tender_amount checked the sale"));
        self.out.push(Command::Pad(PadMessage::Start {
            amount_minor: self.minor(amount),
            currency: self.currency_numeric(),
            kind,
            entries: self.settings.entries,
        }));
        self.phase = Phase::Card(Box::new(CardFlow {
            amount,
            kind,
            step: CardStep::WaitCard,
            started: self.now,
            timeout: self.settings.pad_timeout,
            prompt: "INSERT/SWIPE/TAP",
        }));
    }

    /// Keys during a card flow: CANCEL or CLEAR abort it while the cardholder is still busy.
    pub(super) fn card_key(&mut self, key: Key) {
        if matches!(key, Key::Cancel | Key::Clear) {
            self.abort_card("CARD CANCELLED", "CHOOSE TENDER");
        }
    }

    /// Aborts the pad and goes back to the tender choice, unless the host is already deciding.
    pub(super) fn abort_card(&mut self, line1: &str, line2: &str) {
        let Phase::Card(flow) = &self.phase else {
            return;
        };
        if matches!(flow.step, CardStep::Authorising(_)) {
            return;
        }
        self.out.push(Command::Pad(PadMessage::Abort));
        self.phase = Phase::Ready;
        // A void has no tender to choose instead: it is simply not done.
        let line2 = if self.voiding.is_some() {
            "VOID NOT DONE"
        } else {
            line2
        };
        self.drop_void(line1);
        self.say(line1, line2);
    }

    pub(super) fn on_pad(&mut self, msg: PadMessage) {
        let (waiting_card, waiting_pin, amount, kind) = match &self.phase {
            Phase::Card(f) => (
                matches!(f.step, CardStep::WaitCard),
                matches!(f.step, CardStep::WaitPin { .. }),
                f.amount,
                f.kind,
            ),
            _ => {
                if let PadMessage::Answer { code } = &msg {
                    if !code.is_accepted() {
                        self.say("PINPAD REFUSED", code.as_str().to_string());
                    }
                }
                return;
            }
        };
        match msg {
            PadMessage::Phase(p) if waiting_card => {
                let prompt = match p {
                    PadPhase::WaitingForCard => "INSERT/SWIPE/TAP",
                    PadPhase::FallbackToSwipe => "CHIP FAILED, SWIPE",
                    PadPhase::ChipInserted | PadPhase::Swiped | PadPhase::ContactlessRead => {
                        "READING CARD"
                    }
                    _ => return,
                };
                self.set_prompt(prompt);
            }
            PadMessage::Card {
                entry,
                track2,
                expiry,
                icc_tlv,
            } if waiting_card => {
                let chip_card = matches!(track2.service_code[0], b'2' | b'6');
                if entry == CardEntry::Swipe && chip_card {
                    // The pad should have asked for the chip; make sure the cashier does too.
                    return self.set_prompt("INSERT CHIP CARD");
                }
                let card = CardRead {
                    entry,
                    track2,
                    expiry,
                    icc_tlv,
                };
                let no_pin = kind != TxnKind::Sale
                    || (entry == CardEntry::Tap && amount <= self.settings.tap_no_pin_limit);
                if no_pin {
                    return self.authorise(card, None);
                }
                self.out.push(Command::Pad(PadMessage::RequestPin {
                    pan: card.track2.pan.clone(),
                    amount_minor: self.minor(amount),
                }));
                if let Phase::Card(flow) = &mut self.phase {
                    flow.step = CardStep::WaitPin { card };
                }
            }
            PadMessage::PinResult(outcome) if waiting_pin => {
                let Phase::Card(flow) = &mut self.phase else {
                    return;
                };
                let CardStep::WaitPin { card } =
                    std::mem::replace(&mut flow.step, CardStep::WaitCard)
                else {
                    return;
                };
                match outcome {
                    PinOutcome::Ok(block) => self.authorise(card, Some(block)),
                    PinOutcome::Bypass => self.authorise(card, None),
                    PinOutcome::Cancel => {
                        self.phase = Phase::Ready;
                        self.say("PIN CANCELLED", "CHOOSE TENDER");
                    }
                    PinOutcome::Timeout => {
                        self.phase = Phase::Ready;
                        self.say("PIN TIMEOUT", "CHOOSE TENDER");
                    }
                }
            }
            PadMessage::CardRemoved if waiting_pin => {
                self.abort_card("CARD REMOVED", "CHOOSE TENDER");
            }
            PadMessage::Answer { code } if (waiting_card || waiting_pin) && !code.is_accepted() => {
                self.phase = Phase::Ready;
                self.drop_void("pinpad error");
                self.say("PINPAD ERROR", code.as_str().to_string());
            }
            _ => {}
        }
    }

    fn set_prompt(&mut self, prompt: &'static str) {
        if let Phase::Card(flow) = &mut self.phase {
            flow.prompt = prompt;
        }
    }

    /// Records the pending tender and sends the request to the host client.
    fn authorise(&mut self, card: CardRead, pin_block: Option<PinBlock>) {
        let Phase::Card(flow) = &self.phase else {
            return;
        };
        let (amount, kind) = (flow.amount, flow.kind);
        if kind == TxnKind::Void {
            return self.authorise_void(card);
        }
        let Ok(masked) = MaskedPan::from_pan(card.track2.pan.as_str()) else {
            self.out.push(Command::Pad(PadMessage::Abort));
            self.phase = Phase::Ready;
            return self.say("CARD NOT ACCEPTED", "CHOOSE TENDER");
        };
        let entry = entry_mode(card.entry);
        let Some(sale_id) = self.sale.as_ref().map(|s| s.id()) else {
            return;
        };
        let r = self.journal.current_batch();
        let Some(batch) = self.ok(r) else {
            self.phase = Phase::Ready;
            return;
        };
        let pending = PendingTender {
            kind: TenderKind::Card,
            amount,
            masked_pan: Some(masked.clone()),
            entry_mode: Some(entry),
            stan: None,
            batch: Some(batch),
            out_trade_no: None,
        };
        let r = self.journal.record_tender_pending(sale_id, &pending);
        let Some(tender) = self.ok(r) else {
            self.out.push(Command::Pad(PadMessage::Abort));
            self.phase = Phase::Ready;
            return;
        };
        let request = CardRequest {
            sale_id,
            tender_id: tender,
            amount_minor: self.minor(amount),
            currency: self.currency_numeric(),
            entry: card.entry,
            track2: card.track2,
            expiry: card.expiry,
            icc_tlv: card.icc_tlv,
            pin_block,
        };
        self.out.push(match kind {
            TxnKind::Refund => Command::HostRefund(request),
            _ => Command::HostPurchase(request),
        });
        if let Phase::Card(flow) = &mut self.phase {
            flow.step = CardStep::Authorising(Authorising {
                masked,
                entry,
                amount,
            });
        }
    }

    pub(super) fn on_host(&mut self, outcome: HostOutcome) {
        let authorising = matches!(
            &self.phase,
            Phase::Card(f) if matches!(f.step, CardStep::Authorising(_))
        );
        if !authorising {
            tracing::warn!(
                ?outcome,
                "host outcome with no card request in flight; ignored"
            );
            return;
        }
        let Phase::Card(flow) = std::mem::replace(&mut self.phase, Phase::Ready) else {
            unreachable!("checked above");
        };
        let CardStep::Authorising(auth) = flow.step else {
            unreachable!("checked above");
        };
        if flow.kind == TxnKind::Void {
            return self.on_void_host(outcome);
        }
        match outcome {
            HostOutcome::Approved {
                auth_code,
                rrn,
                stan,
                batch,
            } => self.card_approved(auth, auth_code, rrn, stan, batch, false),
            HostOutcome::Offline { stan, batch } => {
                self.card_approved(auth, String::new(), String::new(), stan, batch, true)
            }
            HostOutcome::Declined { code } => {
                // The host client declined the tender in the journal before it answered.
                self.out.push(pad_text("DECLINED"));
                self.out.push(Command::Pad(PadMessage::Abort));
                let (l1, mut l2) = wrap2(code.message());
                if l2.is_empty() {
                    l2 = format!("DECLINED {}", code.code());
                }
                self.say(l1, l2);
            }
            HostOutcome::NoResponse => {
                // The tender stays pending in the journal: the host client reverses it and
                // marks it reversed once the host acknowledges.
                self.out.push(pad_text("NO RESPONSE"));
                self.out.push(Command::Pad(PadMessage::Abort));
                self.say("NO RESPONSE", "TRY AGAIN OR CASH");
            }
        }
    }

    fn card_approved(
        &mut self,
        auth: Authorising,
        auth_code: String,
        rrn: String,
        stan: u32,
        batch: u32,
        offline: bool,
    ) {
        let tender = Tender::card(
            auth.amount,
            CardTender {
                domestic: is_domestic(&auth.masked),
                masked_pan: auth.masked,
                entry_mode: auth.entry,
                auth_code,
                rrn,
                stan,
                batch,
                offline,
            },
        );
        // The host client approved the tender in the journal (and cleared its armed reversal,
        // or queued its advice) in one commit before it answered; committing it again here
        // would be a second write of the same fact.
        let Some(sale) = self.sale.as_mut() else {
            return;
        };
        let refund = sale.kind() == SaleKind::Refund;
        if let Err(e) = sale.add_tender(tender) {
            return self.sale_error(&e);
        }
        self.out.push(pad_text("APPROVED"));
        self.out.push(Command::Pad(PadMessage::Abort));
        let text = match (offline, refund) {
            (true, _) => "APPROVED OFFLINE",
            (false, true) => "REFUND APPROVED",
            (false, false) => "APPROVED",
        };
        self.after_approved_tender(text);
    }
}
