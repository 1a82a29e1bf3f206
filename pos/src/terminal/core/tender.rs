//! Tender choice and completion: which amount a tender takes (the typed amount for a split, or
//! all that is due), cash with change and the drawer, and completing a fully paid sale — the
//! journal commit with the rendered receipt first, then the drawer and the printer.

use super::ui::right;
use super::TerminalCore;
use crate::journal::ReceiptId;
use crate::money::Money;
use crate::receipt::{render_sale, ReceiptDoc};
use crate::sale::{SaleKind, SaleState};
use crate::tender::TenderDetail;

impl TerminalCore {
    /// The amount a card or QR tender takes: the typed amount (a split) or everything due.
    /// `None` (message shown) when no tender can be taken now.
    pub(super) fn tender_amount(&mut self) -> Option<Money> {
        let due = match &self.sale {
            Some(s) if matches!(s.state(), SaleState::Totalled | SaleState::Tendering) => {
                s.remaining_due()
            }
            Some(_) => {
                self.entry.clear();
                self.say("PRESS TOTAL FIRST", "");
                return None;
            }
            None => {
                self.entry.clear();
                self.say("NO SALE", "");
                return None;
            }
        };
        match self.entry_amount() {
            Err(()) => {
                self.say("INVALID AMOUNT", "");
                None
            }
            Ok(None) => Some(due),
            Ok(Some(a)) if a > due => {
                self.say("AMOUNT TOO LARGE", right(&format!("DUE {due}")));
                None
            }
            Ok(Some(a)) => Some(a),
        }
    }

    pub(super) fn cash_key(&mut self) {
        let (due, kind) = match &self.sale {
            Some(s) if matches!(s.state(), SaleState::Totalled | SaleState::Tendering) => {
                (s.remaining_due(), s.kind())
            }
            Some(_) => {
                self.entry.clear();
                return self.say("PRESS TOTAL FIRST", "");
            }
            None => {
                self.entry.clear();
                return self.say("NO SALE", "");
            }
        };
        let tendered = match self.entry_amount() {
            Err(()) => return self.say("INVALID AMOUNT", ""),
            Ok(None) => due,
            // A refund pays out at most what is due.
            Ok(Some(a)) if kind == SaleKind::Refund => a.min(due),
            Ok(Some(a)) => a,
        };
        let sale = self.sale.as_mut().expect("checked above");
        let tender = match sale.tender_cash(tendered) {
            Ok(t) => t,
            Err(e) => return self.sale_error(&e),
        };
        let id = sale.id();
        let completed = sale.state() == SaleState::Completed;
        let r = self.journal.add_tender(id, &tender);
        if self.ok(r).is_none() {
            return;
        }
        let receipt = if completed {
            match self.finish_sale() {
                Some(r) => Some(r),
                None => return,
            }
        } else {
            None
        };
        // Both commits are done: now the drawer opens and the receipt prints.
        self.kick_drawer();
        if let Some((job, doc)) = receipt {
            self.print_stored(job, doc);
            match (&tender.detail, kind) {
                (_, SaleKind::Refund) => self.say("REFUND PAID", right(&tender.amount.to_string())),
                (TenderDetail::Cash(c), SaleKind::Sale) => {
                    self.say("CHANGE", right(&c.change.to_string()))
                }
                _ => {}
            }
        }
    }

    /// Completes the fully paid sale in the journal (with its receipt, pending print) and
    /// takes its lines off the inventory. Returns the receipt to print; `None` if the journal
    /// failed (the sale stays in memory, nothing is printed).
    pub(super) fn finish_sale(&mut self) -> Option<(ReceiptId, ReceiptDoc)> {
        let sale = self.sale.as_ref()?;
        let doc = render_sale(
            &self.config.store,
            &self.settings.terminal_id,
            sale,
            self.clock.now(),
        );
        let r = self.journal.complete_sale(sale, &doc);
        let sign = if sale.kind() == SaleKind::Refund {
            -1
        } else {
            1
        };
        let taken: Vec<(String, i64)> = sale
            .basket()
            .lines()
            .iter()
            .filter(|l| !l.voided)
            .map(|l| (l.plu.clone(), sign * l.quantity.stock()))
            .collect();
        let completion = self.ok(r)?;
        for (plu, qty) in taken {
            // Inventory is informational: an item gone from the catalog is not an error here.
            let _ = self.catalog.take_stock(&plu, qty);
        }
        self.sale = None;
        Some((completion.receipt, doc))
    }

    /// After an approved card or QR tender: complete the sale if it is paid, else show what is
    /// still due.
    pub(super) fn after_approved_tender(&mut self, approved: &str) {
        let completed = self
            .sale
            .as_ref()
            .is_some_and(|s| s.state() == SaleState::Completed);
        if !completed {
            let due = self
                .sale
                .as_ref()
                .map_or(Money::ZERO, |s| s.remaining_due());
            self.say(approved, right(&format!("DUE {due}")));
            return;
        }
        let Some((job, doc)) = self.finish_sale() else {
            return;
        };
        self.print_stored(job, doc);
        self.say(approved, "THANK YOU");
    }
}
