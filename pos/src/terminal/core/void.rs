//! Voids (撤销) of completed sales by their receipt number, between sales and with a
//! supervisor's approval: `VOID` receipt-number `ENTER` (or receipt-number `VOID`). The sale
//! must be a completed sale of the open day, not voided yet, its card tender (at most one) in
//! the current batch. The sale is marked `voiding` in the journal first; then a card tender is
//! voided at the host with the card presented again (its masked PAN must be the original's; no
//! PIN) and the original's references, and a cash tender is paid back from the drawer. QR
//! wallet tenders cannot be voided: the wallet API (PROTOCOLS.md §8) has no refund of a paid
//! order, and its `/reverse` is for payments whose outcome is unknown. A void slip prints.

use posrig_protocols::pinpad::{PadMessage, TxnKind};

use super::card::{entry_mode, pad_text, Authorising, CardFlow, CardRead, CardStep};
use super::command::{CardRequest, VoidRequest};
use super::input::HostOutcome;
use super::ui::{right, wrap2};
use super::{Command, Phase, TerminalCore};
use crate::journal::{JournalError, TenderId, TenderState, VoidState};
use crate::money::Money;
use crate::operator::{authorize, Action};
use crate::receipt::{render_void, VoidSlip, VoidedCard};
use crate::sale::{SaleId, SaleKind, SaleState};
use crate::tender::{CardTender, MaskedPan, TenderDetail, TenderKind};

/// A void in progress.
#[derive(Debug)]
pub(super) struct VoidJob {
    sale: SaleId,
    operator: String,
    total: Money,
    /// The approved card tender to void at the host, with its amount.
    card: Option<(TenderId, CardTender, Money)>,
    /// Cash to pay back from the drawer.
    cash: Money,
}

impl TerminalCore {
    /// `VOID` between sales: with digits typed, voids that receipt; else asks for it.
    pub(super) fn void_receipt_key(&mut self, entry: String) {
        if self.drawer.open {
            return self.say("CLOSE DRAWER", "FIRST");
        }
        if entry.is_empty() {
            self.phase = Phase::VoidReceipt;
        } else {
            self.start_void(&entry);
        }
    }

    /// Starts the void of the sale whose receipt number is `number`.
    pub(super) fn start_void(&mut self, number: &str) {
        let Ok(n) = number.parse::<i64>() else {
            return self.say("RECEIPT NOT FOUND", "");
        };
        let id = SaleId(n);
        let original = match self.journal.load_sale(id) {
            Ok(s) => s,
            Err(JournalError::UnknownSale(_)) => return self.say("RECEIPT NOT FOUND", ""),
            Err(e) => {
                self.ok::<()>(Err(e));
                return;
            }
        };
        let no = format!("No. {id}");
        if original.summary.state != SaleState::Completed || original.summary.kind != SaleKind::Sale
        {
            return self.say("NOT VOIDABLE", no);
        }
        let r = self.journal.void_status(id);
        let Some(status) = self.ok(r) else {
            return;
        };
        if status.state == VoidState::Voided {
            return self.say("ALREADY VOIDED", no);
        }
        if status.day_closed {
            return self.say("OTHER BATCH", "USE REFUND");
        }
        let r = self.journal.current_batch();
        let Some(batch) = self.ok(r) else {
            return;
        };
        let mut card = None;
        let mut cash = Money::ZERO;
        for t in &original.tenders {
            if t.state != TenderState::Approved {
                continue;
            }
            let Some(tender) = &t.tender else {
                continue;
            };
            match (&tender.detail, t.kind) {
                (TenderDetail::Card(c), _) => {
                    if card.is_some() {
                        return self.say("SPLIT CARD SALE", "USE REFUND");
                    }
                    if c.batch != batch {
                        return self.say("OTHER BATCH", "USE REFUND");
                    }
                    card = Some((t.id, c.clone(), tender.amount));
                }
                (_, TenderKind::Qr) => return self.say("QR CANNOT BE VOIDED", "USE REFUND"),
                _ => cash += tender.amount,
            }
        }
        let Ok(approval) = self.approval(Action::VoidSale) else {
            return;
        };
        let Some(op) = self.operator.clone() else {
            return;
        };
        let Ok(approver) = authorize(&op, Action::VoidSale, approval.as_ref()) else {
            return;
        };
        let supervisor = approval.as_ref().map(|_| approver.as_str());
        // Committed before the pad, the host or the drawer is asked for anything.
        let r = self.journal.begin_void(id, &op.number, supervisor);
        if self.ok(r).is_none() {
            return;
        }
        let job = VoidJob {
            sale: id,
            operator: op.number.clone(),
            total: original.summary.total.unwrap_or(Money::ZERO),
            card,
            cash,
        };
        let Some((_, _, amount)) = job.card.clone() else {
            self.voiding = Some(job);
            return self.finish_void(None);
        };
        self.out.push(Command::Pad(PadMessage::Start {
            amount_minor: self.minor(amount),
            currency: self.currency_numeric(),
            kind: TxnKind::Void,
            entries: self.settings.entries,
        }));
        self.voiding = Some(job);
        self.phase = Phase::Card(Box::new(CardFlow {
            amount,
            kind: TxnKind::Void,
            step: CardStep::WaitCard,
            started: self.now,
            timeout: self.settings.pad_timeout,
            prompt: "INSERT/SWIPE/TAP",
        }));
    }

    /// The card of a void was read: it must be the original's; then the void goes to the host.
    pub(super) fn authorise_void(&mut self, card: CardRead) {
        let Some((tender_id, original, amount)) =
            self.voiding.as_ref().and_then(|j| j.card.clone())
        else {
            return;
        };
        let sale = self
            .voiding
            .as_ref()
            .map(|j| j.sale)
            .expect("checked above");
        let same =
            MaskedPan::from_pan(card.track2.pan.as_str()).is_ok_and(|m| m == original.masked_pan);
        if !same {
            self.out.push(Command::Pad(PadMessage::Abort));
            self.phase = Phase::Ready;
            self.drop_void("card does not match the original");
            return self.say("CARD DOES NOT MATCH", "USE ORIGINAL CARD");
        }
        let entry = entry_mode(card.entry);
        let request = VoidRequest {
            card: CardRequest {
                sale_id: sale,
                tender_id,
                amount_minor: self.minor(amount),
                currency: self.currency_numeric(),
                entry: card.entry,
                track2: card.track2,
                expiry: card.expiry,
                icc_tlv: card.icc_tlv,
                pin_block: None,
            },
            original: original.clone(),
        };
        self.out.push(Command::HostVoid(request));
        if let Phase::Card(flow) = &mut self.phase {
            flow.step = CardStep::Authorising(Authorising {
                masked: original.masked_pan,
                entry,
                amount,
            });
        }
    }

    /// The host's answer to a void. The host client has marked the original tender voided (and
    /// cleared the void's reversal) when approved, or left the reversal pending when no valid
    /// answer came.
    pub(super) fn on_void_host(&mut self, outcome: HostOutcome) {
        match outcome {
            HostOutcome::Approved { rrn, stan, .. } => {
                self.out.push(pad_text("APPROVED"));
                self.out.push(Command::Pad(PadMessage::Abort));
                self.finish_void(Some((stan, rrn)));
            }
            HostOutcome::Declined { code } => {
                self.out.push(pad_text("DECLINED"));
                self.out.push(Command::Pad(PadMessage::Abort));
                self.drop_void(&format!("declined {}", code.code()));
                let (l1, mut l2) = wrap2(code.message());
                if l2.is_empty() {
                    l2 = format!("DECLINED {}", code.code());
                }
                self.say(l1, l2);
            }
            // A void is never approved offline; either way the host may or may not have it,
            // and the reversal the client armed goes out before the next online request.
            HostOutcome::NoResponse | HostOutcome::Offline { .. } => {
                self.out.push(pad_text("NO RESPONSE"));
                self.out.push(Command::Pad(PadMessage::Abort));
                self.drop_void("no response; the void is reversed");
                self.say("NO RESPONSE", "VOID NOT DONE");
            }
        }
    }

    /// The void did not happen: the sale is back to not voided.
    pub(super) fn drop_void(&mut self, reason: &str) {
        let Some(job) = self.voiding.take() else {
            return;
        };
        let r = self.journal.abandon_void(job.sale, reason);
        self.ok(r);
    }

    /// After a restart, voids left `voiding`: one whose card tender the host client had
    /// already voided (the host approved before the stop) is completed — cash paid back, slip
    /// printed; any other did not happen (its reversal, armed before the request, goes out
    /// with the host client's recovery) and the sale is back to not voided.
    pub(super) fn recover_voids(&mut self) {
        let r = self.journal.voids_in_progress();
        let Some(sales) = self.ok(r) else {
            return;
        };
        for id in sales {
            let r = self.journal.load_sale(id);
            let Some(stored) = self.ok(r) else {
                return;
            };
            let voided_card = stored.tenders.iter().find_map(|t| match &t.tender {
                Some(tender) if t.state == TenderState::Voided => match &tender.detail {
                    TenderDetail::Card(c) => Some((t.id, c.clone(), tender.amount)),
                    _ => None,
                },
                _ => None,
            });
            let Some(card) = voided_card else {
                let r = self
                    .journal
                    .abandon_void(id, "restart: the void's answer was lost; it is reversed");
                self.ok(r);
                continue;
            };
            let cash = stored
                .tenders
                .iter()
                .filter(|t| t.state == TenderState::Approved && t.kind == TenderKind::Cash)
                .fold(Money::ZERO, |sum, t| sum + t.amount);
            self.voiding = Some(VoidJob {
                sale: id,
                operator: stored.summary.operator.clone(),
                total: stored.summary.total.unwrap_or(Money::ZERO),
                card: Some(card),
                cash,
            });
            self.finish_void(None);
        }
    }

    /// Completes the void (`host` is the void's STAN and RRN when a card was voided): the
    /// journal commit with the slip first, then the drawer for cash, then the slip prints.
    fn finish_void(&mut self, host: Option<(u32, String)>) {
        let Some(job) = self.voiding.take() else {
            return;
        };
        let card = job.card.clone().map(|(_, original, amount)| VoidedCard {
            original,
            amount,
            void_ref: host,
        });
        let slip = VoidSlip {
            original_receipt: format!("{}-{}", self.settings.terminal_id, job.sale),
            operator: job.operator.clone(),
            total: job.total,
            card,
            cash: job.cash,
        };
        let doc = render_void(&self.config.store, &slip, self.clock.now());
        let r = self.journal.complete_void(job.sale, &doc);
        let Some(receipt) = self.ok(r) else {
            return;
        };
        if !job.cash.is_zero() {
            self.kick_drawer();
        }
        self.print_stored(receipt, doc);
        if job.cash.is_zero() {
            self.say("SALE VOIDED", format!("No. {}", job.sale));
        } else {
            self.say("SALE VOIDED", right(&format!("PAY BACK {}", job.cash)));
        }
    }
}
