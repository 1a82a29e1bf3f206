//! Entering a sale: scans and PLU entry, quantities, weighed items (through the scale) and
//! price-embedded codes, line voids, basket cancel, members, and TOTAL. Each change is written
//! to the journal as it happens.

use posrig_protocols::scale::ScaleReply;
use posrig_protocols::scanner::classify_payment_code;

use super::ui::{fit, pair, right};
use super::{Phase, TerminalCore};
use crate::basket::{Line, LineId, Quantity};
use crate::catalog::{CatalogError, Item, Resolved};
use crate::money::Money;
use crate::operator::{authorize, Action};
use crate::sale::{Sale, SaleError, SaleState};
use crate::tender::TenderKind;

/// A resolved code, owned (the catalog stays borrowable).
enum Found {
    Item(Item),
    Weighed(Item, u32),
    Priced(Item, Money),
}

impl Found {
    fn from_resolved(r: &Resolved<'_>) -> Self {
        match *r {
            Resolved::Item(i) => Found::Item(i.clone()),
            Resolved::Weighed { item, grams } => Found::Weighed(item.clone(), grams),
            Resolved::Priced { item, price } => Found::Priced(item.clone(), price),
        }
    }
}

/// What the display's second line says about a line's quantity.
fn quantity_text(line: &Line) -> String {
    match (line.fixed_amount, line.quantity) {
        (Some(_), _) | (None, Quantity::Units(1)) => String::new(),
        (None, Quantity::Units(n)) => format!("{n} X {}", line.unit_price),
        (None, Quantity::Grams(g)) => format!("{} KG", rust_decimal::Decimal::new(g.into(), 3)),
    }
}

impl TerminalCore {
    /// Starts a sale if none is in progress; refused while the drawer is open.
    pub(super) fn ensure_sale(&mut self) -> bool {
        if self.sale.is_some() {
            return true;
        }
        if self.drawer.open {
            self.say("CLOSE DRAWER", "FIRST");
            return false;
        }
        let Some(op) = self.operator.clone() else {
            return false;
        };
        let r = self.journal.begin_sale(&op);
        let Some(id) = self.ok(r) else {
            return false;
        };
        self.sale = Some(Sale::new(id, op, self.rules.clone()));
        true
    }

    /// Whether lines may be added now (a new sale, or a sale not yet paid in part).
    fn can_add_lines(&mut self) -> bool {
        let ok = self.sale.as_ref().is_none_or(|s| {
            matches!(
                s.state(),
                SaleState::Idle | SaleState::Selling | SaleState::Refund | SaleState::Totalled
            )
        });
        if !ok {
            self.say("FINISH PAYMENT", "FIRST");
        } else if self.sale.is_none() && self.drawer.open {
            self.say("CLOSE DRAWER", "FIRST");
            return false;
        }
        ok
    }

    pub(super) fn qty_key(&mut self) {
        let entry = std::mem::take(&mut self.entry);
        match entry.parse::<u32>() {
            Ok(q @ 1..=999) => self.qty = Some(q),
            _ => self.say("INVALID QTY", ""),
        }
    }

    pub(super) fn plu_key(&mut self) {
        let entry = std::mem::take(&mut self.entry);
        if entry.is_empty() || !entry.bytes().all(|b| b.is_ascii_digit()) || entry.len() > 5 {
            self.qty = None;
            self.say("ENTER PLU", "THEN PRESS PLU");
            return;
        }
        let plu = format!("{entry:0>5}");
        match self.catalog.by_plu(&plu) {
            Ok(item) => {
                let found = Found::Item(item.clone());
                self.sell(found);
            }
            Err(_) => {
                self.qty = None;
                self.say("UNKNOWN PLU", plu);
            }
        }
    }

    pub(super) fn scan_item(&mut self, code: &str) {
        let found = match self.catalog.resolve_scan(code) {
            Ok(r) => Found::from_resolved(&r),
            Err(CatalogError::BadCheckDigit(_)) => return self.say("RESCAN", ""),
            Err(CatalogError::NotWeighed { .. }) => return self.say("BAD WEIGHT CODE", ""),
            Err(_) if classify_payment_code(code).is_some() => {
                return self.say("PAY CODE SCANNED", "PRESS QR FIRST")
            }
            Err(_) => return self.say("UNKNOWN ITEM", code.to_string()),
        };
        self.sell(found);
    }

    fn sell(&mut self, found: Found) {
        let qty = self.qty.take();
        if !self.can_add_lines() {
            return;
        }
        let quantity = match &found {
            Found::Item(item) if item.weighed => {
                if qty.is_some() {
                    return self.say("QTY NOT ALLOWED", "FOR WEIGHED ITEM");
                }
                self.phase = Phase::Weighing {
                    plu: item.plu.clone(),
                };
                self.out.push(super::Command::ReadWeight);
                return;
            }
            Found::Item(_) => qty.unwrap_or(1),
            Found::Weighed(..) | Found::Priced(..) if qty.is_some() => {
                return self.say("QTY NOT ALLOWED", "");
            }
            _ => 1,
        };
        if !self.ensure_sale() {
            return;
        }
        let sale = self.sale.as_mut().expect("ensure_sale made a sale");
        let result = match &found {
            Found::Item(item) => sale.add_item(item, Quantity::Units(quantity)),
            Found::Weighed(item, grams) => sale.add_item(item, Quantity::Grams(*grams)),
            Found::Priced(item, price) => sale.add_resolved(
                &Resolved::Priced {
                    item,
                    price: *price,
                },
                1,
            ),
        };
        self.line_added(result);
    }

    /// Journals a new line and shows it.
    fn line_added(&mut self, result: Result<LineId, SaleError>) {
        let id = match result {
            Ok(id) => id,
            Err(e) => return self.sale_error(&e),
        };
        let sale = self
            .sale
            .as_ref()
            .expect("a line was just added to the sale");
        let line = sale
            .basket()
            .line(id)
            .expect("the line just added exists")
            .clone();
        let gross = sale.totals().line(id).map_or(Money::ZERO, |p| p.gross);
        let r = self.journal.add_line(sale.id(), &line);
        if self.ok(r).is_none() {
            return;
        }
        self.sync_sale();
        self.say(
            fit(&line.name),
            pair(&quantity_text(&line), &gross.to_string()),
        );
    }

    /// Writes the sale's header (state, member, approvals) to the journal.
    pub(super) fn sync_sale(&mut self) {
        if let Some(sale) = &self.sale {
            let r = self.journal.update_sale(sale);
            self.ok(r);
        }
    }

    pub(super) fn sale_error(&mut self, e: &SaleError) {
        tracing::debug!(error = %e, "sale operation refused");
        match e {
            SaleError::EmptyBasket => self.say("NO ITEMS", ""),
            SaleError::IllegalTransition { .. } => self.say("NOT ALLOWED NOW", ""),
            SaleError::Operator(_) => self.say("SUPERVISOR NEEDED", "PRESS SUPERVISOR"),
            SaleError::Overtender { .. } => self.say("AMOUNT TOO LARGE", ""),
            SaleError::TendersOutstanding => self.say("CANNOT CANCEL", "CARD/QR PAID"),
            _ => self.say("NOT ALLOWED", ""),
        }
    }

    pub(super) fn on_weight(&mut self, reply: ScaleReply) {
        let Phase::Weighing { plu } = &self.phase else {
            return;
        };
        let plu = plu.clone();
        match reply {
            ScaleReply::Weight { grams: 0 } => self.say("PLACE ITEM ON SCALE", "ENTER TO RETRY"),
            ScaleReply::Weight { grams } => {
                self.phase = Phase::Ready;
                let Ok(item) = self.catalog.by_plu(&plu).cloned() else {
                    return self.say("UNKNOWN PLU", plu);
                };
                if !self.ensure_sale() {
                    return;
                }
                let sale = self.sale.as_mut().expect("ensure_sale made a sale");
                let result = sale.add_item(&item, Quantity::Grams(grams));
                self.line_added(result);
            }
            ScaleReply::Status(s) if s.over_capacity => {
                self.say("SCALE OVER CAPACITY", "ENTER TO RETRY")
            }
            ScaleReply::Status(s) if s.under_zero => self.say("SCALE UNDER ZERO", "ENTER TO RETRY"),
            ScaleReply::Status(_) => self.say("SCALE IN MOTION", "ENTER TO RETRY"),
        }
    }

    pub(super) fn void_key(&mut self) {
        let entry = std::mem::take(&mut self.entry);
        let Some(sale) = &self.sale else {
            // Between sales `VOID` voids a completed sale by its receipt number.
            return self.void_receipt_key(entry);
        };
        let line = if entry.is_empty() {
            sale.basket().lines().iter().rev().find(|l| !l.voided)
        } else {
            let n: u32 = entry.parse().unwrap_or(0);
            sale.basket()
                .lines()
                .iter()
                .find(|l| l.id.0 == n && !l.voided)
        };
        let Some(line) = line.cloned() else {
            return self.say("NO SUCH LINE", "");
        };
        let gross = sale.totals().line(line.id).map_or(Money::ZERO, |p| p.gross);
        let approval = match sale.state() {
            SaleState::Totalled => match self.approval(Action::VoidAfterTotal) {
                Ok(a) => a,
                Err(()) => return,
            },
            SaleState::Selling | SaleState::Refund => None,
            _ => return self.say("NOT ALLOWED NOW", ""),
        };
        let sale = self.sale.as_mut().expect("checked above");
        if let Err(e) = sale.void_line(line.id, approval.as_ref()) {
            return self.sale_error(&e);
        }
        let voided = sale.basket().line(line.id).expect("line exists").clone();
        let id = sale.id();
        let r = self.journal.update_line(id, &voided);
        if self.ok(r).is_none() {
            return;
        }
        self.sync_sale();
        self.say(
            fit(&format!("VOID {}", line.name)),
            right(&format!("-{gross}")),
        );
    }

    pub(super) fn cancel_key(&mut self) {
        self.entry.clear();
        self.qty = None;
        let Some(sale) = &self.sale else {
            return;
        };
        let after_total = matches!(sale.state(), SaleState::Totalled | SaleState::Tendering);
        if sale.tenders().iter().any(|t| t.kind() != TenderKind::Cash) {
            return self.say("CANNOT CANCEL", "CARD/QR PAID");
        }
        let mut approver = None;
        if after_total {
            // Cancelling a totalled basket needs the same approval as voiding after total.
            let Ok(approval) = self.approval(Action::VoidAfterTotal) else {
                return;
            };
            let Some(op) = &self.operator else { return };
            approver = authorize(op, Action::VoidAfterTotal, approval.as_ref()).ok();
        }
        let sale = self.sale.as_mut().expect("checked above");
        if let Err(e) = sale.cancel() {
            return self.sale_error(&e);
        }
        let id = sale.id();
        let cash_back = !sale.tenders().is_empty();
        if let Some(sup) = approver {
            let r = self
                .journal
                .log_event(Some(id), Some(&sup), "approval", "cancel_after_total");
            if self.ok(r).is_none() {
                return;
            }
        }
        let r = self.journal.cancel_sale(id);
        if self.ok(r).is_none() {
            return;
        }
        self.sale = None;
        if cash_back {
            // Cash already taken goes back to the customer.
            self.kick_drawer();
        }
        self.say("SALE CANCELLED", "");
    }

    pub(super) fn total_key(&mut self) {
        self.entry.clear();
        let Some(sale) = &self.sale else {
            return self.say("NO ITEMS", "");
        };
        if !matches!(sale.state(), SaleState::Selling | SaleState::Refund) {
            return;
        }
        if sale.basket().is_empty() {
            return self.say("NO ITEMS", "");
        }
        let approval = if sale.totals().total > self.rules.approval_above {
            match self.approval(Action::AboveLimit) {
                Ok(a) => a,
                Err(()) => return,
            }
        } else {
            None
        };
        let sale = self.sale.as_mut().expect("checked above");
        if let Err(e) = sale.total(approval.as_ref()) {
            return self.sale_error(&e);
        }
        self.sync_sale();
    }

    /// `amount ENTER` while selling: the last live line's new unit price (a price override,
    /// which needs a supervisor).
    pub(super) fn price_override_key(&mut self) {
        if self.entry.is_empty() {
            return;
        }
        let Some(sale) = &self.sale else {
            self.entry.clear();
            return self.say("NO ITEMS", "");
        };
        if !matches!(sale.state(), SaleState::Selling | SaleState::Refund) {
            self.entry.clear();
            return self.say("NOT ALLOWED NOW", "");
        }
        let Some(line) = sale.basket().lines().iter().rev().find(|l| !l.voided) else {
            self.entry.clear();
            return self.say("NO ITEMS", "");
        };
        let (line_id, name) = (line.id, line.name.clone());
        let Ok(Some(price)) = self.entry_amount() else {
            return self.say("INVALID PRICE", "");
        };
        let Ok(approval) = self.approval(Action::PriceOverride) else {
            return;
        };
        let sale = self.sale.as_mut().expect("checked above");
        if let Err(e) = sale.override_price(line_id, price, approval.as_ref()) {
            return self.sale_error(&e);
        }
        let line = sale.basket().line(line_id).expect("line exists").clone();
        let gross = sale.totals().line(line_id).map_or(Money::ZERO, |p| p.gross);
        let id = sale.id();
        let r = self.journal.update_line(id, &line);
        if self.ok(r).is_none() {
            return;
        }
        // The approval goes to the audit trail with the sale's header.
        self.sync_sale();
        self.say(fit(&name), pair("NEW PRICE", &gross.to_string()));
    }

    /// `points MEMBER` after `TOTAL` with a member on the sale: redeem that many points as a
    /// basket discount.
    fn redeem_points(&mut self, entry: &str) {
        let Ok(points) = entry.parse::<i64>() else {
            return self.say("CANNOT REDEEM", "");
        };
        let sale = self.sale.as_mut().expect("checked by the caller");
        match sale.redeem_points(points) {
            Ok(value) => {
                self.sync_sale();
                self.say("POINTS REDEEMED", right(&format!("-{value}")));
            }
            Err(SaleError::Points { reason, .. }) => {
                self.say("CANNOT REDEEM", fit(&reason.to_uppercase()))
            }
            Err(e) => self.sale_error(&e),
        }
    }

    pub(super) fn member_key(&mut self) {
        let redeeming = self.sale.as_ref().is_some_and(|s| {
            s.state() == SaleState::Totalled && s.member().is_some() && s.tenders().is_empty()
        });
        if redeeming && !self.entry.is_empty() {
            let entry = std::mem::take(&mut self.entry);
            return self.redeem_points(&entry);
        }
        if self.entry.is_empty() {
            self.phase = Phase::Member;
        } else {
            let entry = std::mem::take(&mut self.entry);
            self.member_lookup(&entry);
        }
    }

    pub(super) fn member_lookup(&mut self, input: &str) {
        let Some(member) = self.members.lookup(input).cloned() else {
            return self.say("MEMBER NOT FOUND", "");
        };
        let r = self.journal.member_balance(&member);
        let Some(balance) = self.ok(r) else {
            return;
        };
        if !self.ensure_sale() {
            return;
        }
        let sale = self.sale.as_mut().expect("ensure_sale made a sale");
        if let Err(e) = sale.attach_member(&member, balance) {
            return self.sale_error(&e);
        }
        self.sync_sale();
        self.say(fit(&member.name), pair("POINTS", &balance.to_string()));
    }
}
