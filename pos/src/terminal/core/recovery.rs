//! Start-up recovery from the journal. The rule for sales found in progress:
//!
//! - a sale with no approved tender is cancelled (the customer is gone or starts again);
//! - a sale with approved tenders is rebuilt and resumed at the next login, so the cashier
//!   takes the rest of the payment (or, if it was already fully paid, it is completed at once);
//! - tenders still pending (request sent, answer lost) are the host client's: it reverses them
//!   ([`Command::HostRecover`]), and they are never counted as paid.
//!
//! Voids left `voiding` are completed if the host approved them before the stop, else dropped
//! (their reversal goes out with the host client's recovery). Documents whose printing did not
//! finish are printed again.

use std::time::Duration;

use super::{Command, TerminalCore};
use crate::basket::Basket;
use crate::journal::{SaleSummary, TenderState};
use crate::operator::{Operator, Role};
use crate::sale::{Sale, SaleState};

impl TerminalCore {
    /// Recovers after a start: pending reversals and advices go to the host client, sales in
    /// progress are resumed or cancelled (see the module docs), unfinished receipts reprinted.
    pub fn recover(&mut self, now: Duration) -> Vec<Command> {
        self.now = now;
        let r = self.journal.recovery();
        if let Some(rec) = self.ok(r) {
            self.out.push(Command::HostRecover);
            self.recover_voids();
            for summary in rec.in_progress {
                self.recover_sale(&summary);
            }
            for receipt in rec.unfinished_receipts {
                self.print_stored(receipt.id, receipt.doc);
            }
            if self.recovered.is_some() {
                self.say("SALE TO RESUME", "PLEASE LOG IN");
            }
        }
        self.refresh();
        std::mem::take(&mut self.out)
    }

    fn recover_sale(&mut self, summary: &SaleSummary) {
        let r = self.journal.load_sale(summary.id);
        let Some(stored) = self.ok(r) else {
            return;
        };
        let approved: Vec<_> = stored
            .tenders
            .iter()
            .filter(|t| t.state == TenderState::Approved)
            .filter_map(|t| t.tender.clone())
            .collect();
        if approved.is_empty() || self.recovered.is_some() {
            if self.recovered.is_some() && !approved.is_empty() {
                tracing::error!(sale = %summary.id, "two paid sales in progress; leaving this one");
                return;
            }
            let r = self.journal.cancel_sale(summary.id);
            self.ok(r);
            return;
        }
        let operator = self
            .operators
            .operator(&summary.operator)
            .unwrap_or_else(|| Operator {
                number: summary.operator.clone(),
                name: summary.operator.clone(),
                role: Role::Cashier,
            });
        let mut sale = Sale::restore(
            summary.id,
            summary.kind,
            operator,
            self.rules.clone(),
            Basket::from_parts(stored.lines, stored.basket_discounts),
            approved,
            stored.original_receipt,
        );
        if let Some(member) = stored.member {
            sale.restore_member(member);
        }
        if sale.state() == SaleState::Completed {
            self.sale = Some(sale);
            if let Some((job, doc)) = self.finish_sale() {
                self.print_stored(job, doc);
            }
            return;
        }
        self.recovered = Some(sale);
    }
}
