//! Refunds (退货): `REFUND` and the number of a completed sale's receipt start a refund, with a
//! supervisor's approval; the returned items are then entered like a sale and paid out in cash
//! or back to a card.

use super::{Phase, TerminalCore};
use crate::journal::{JournalError, VoidState};
use crate::operator::Action;
use crate::sale::{Sale, SaleId, SaleKind, SaleState};

impl TerminalCore {
    pub(super) fn refund_key(&mut self) {
        if !self.idle_with_closed_drawer() {
            self.entry.clear();
            return;
        }
        if self.entry.is_empty() {
            self.phase = Phase::RefundReceipt;
        } else {
            let entry = std::mem::take(&mut self.entry);
            self.start_refund(&entry);
        }
    }

    /// Starts a refund of the sale whose receipt number (the digits after the terminal id) is
    /// `number`.
    pub(super) fn start_refund(&mut self, number: &str) {
        let Ok(n) = number.parse::<i64>() else {
            return self.say("RECEIPT NOT FOUND", "");
        };
        let original = match self.journal.load_sale(SaleId(n)) {
            Ok(s) => s,
            Err(JournalError::UnknownSale(_)) => return self.say("RECEIPT NOT FOUND", ""),
            Err(e) => {
                self.ok::<()>(Err(e));
                return;
            }
        };
        if original.summary.state != SaleState::Completed || original.summary.kind != SaleKind::Sale
        {
            return self.say("NOT REFUNDABLE", format!("No. {}", SaleId(n)));
        }
        // A voided sale was given back whole; one being voided may still be.
        let r = self.journal.void_status(SaleId(n));
        let Some(status) = self.ok(r) else {
            return;
        };
        if status.state != VoidState::None {
            return self.say("NOT REFUNDABLE", "SALE VOIDED");
        }
        let Ok(approval) = self.approval(Action::Refund) else {
            return;
        };
        let Some(op) = self.operator.clone() else {
            return;
        };
        let receipt = format!("{}-{}", self.settings.terminal_id, SaleId(n));
        let r = self.journal.begin_sale(&op);
        let Some(id) = self.ok(r) else {
            return;
        };
        let mut sale = Sale::new(id, op, self.rules.clone());
        if let Err(e) = sale.begin_refund(&receipt, approval.as_ref()) {
            // Nothing was entered: the empty sale row is closed at once.
            let r = self.journal.cancel_sale(id);
            self.ok(r);
            return self.sale_error(&e);
        }
        self.sale = Some(sale);
        self.sync_sale();
        self.say("REFUND", format!("OF No. {}", SaleId(n)));
    }
}
