//! The sale lifecycle: `Idle → Selling → Totalled → Tendering → Completed`, plus `Cancelled`
//! and `Refund` (line entry of a refund). Every operation checks the state and the operator's
//! authority, and fails with a typed error instead of changing anything.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::basket::{
    self, Basket, BasketDiscount, BasketError, Discount, LineId, Quantity, Totals,
};
use crate::catalog::{Item, Resolved};
use crate::config::{PointsRules, TaxConfig};
use crate::member::{self, Member, MemberOnSale};
use crate::money::{Currency, Money};
use crate::operator::{authorize, Action, Approval, Operator, OperatorError};
use crate::tender::{remaining_due, settle_cash, Tender, TenderKind};

/// The journal's number for a sale; also its receipt number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SaleId(pub i64);

impl fmt::Display for SaleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:06}", self.0)
    }
}

/// Sale or refund.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SaleKind {
    /// A sale (消费).
    Sale,
    /// A refund (退货): money goes back to the customer.
    Refund,
}

impl SaleKind {
    /// Stable name for the journal.
    pub fn as_str(self) -> &'static str {
        match self {
            SaleKind::Sale => "sale",
            SaleKind::Refund => "refund",
        }
    }
}

/// Where a sale is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SaleState {
    /// Nothing entered yet.
    Idle,
    /// Entering lines of a sale.
    Selling,
    /// Entering lines of a refund (approved by a supervisor).
    Refund,
    /// Total shown; no tender yet.
    Totalled,
    /// At least one tender taken, more due.
    Tendering,
    /// Fully paid.
    Completed,
    /// Abandoned.
    Cancelled,
}

impl SaleState {
    /// Stable name for the journal.
    pub fn as_str(self) -> &'static str {
        match self {
            SaleState::Idle => "idle",
            SaleState::Selling => "selling",
            SaleState::Refund => "refund",
            SaleState::Totalled => "totalled",
            SaleState::Tendering => "tendering",
            SaleState::Completed => "completed",
            SaleState::Cancelled => "cancelled",
        }
    }

    /// Parses [`SaleState::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        [
            SaleState::Idle,
            SaleState::Selling,
            SaleState::Refund,
            SaleState::Totalled,
            SaleState::Tendering,
            SaleState::Completed,
            SaleState::Cancelled,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }

    /// Whether the sale is over.
    pub fn is_final(self) -> bool {
        matches!(self, SaleState::Completed | SaleState::Cancelled)
    }
}

impl fmt::Display for SaleState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A sale operation that cannot be done.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SaleError {
    /// The operation is not allowed in the current state.
    #[error("{operation} in state {state}: not allowed")]
    IllegalTransition {
        /// What was attempted.
        operation: &'static str,
        /// The state the sale was in.
        state: SaleState,
    },
    /// A basket change failed.
    #[error(transparent)]
    Basket(#[from] BasketError),
    /// An approval is missing or invalid.
    #[error(transparent)]
    Operator(#[from] OperatorError),
    /// Totalling a basket with no live line.
    #[error("total sale: basket is empty")]
    EmptyBasket,
    /// A tender larger than what is due (cash gives change instead).
    #[error("take {kind:?} tender of {amount}: only {due} is due")]
    Overtender {
        /// Tender kind.
        kind: TenderKind,
        /// Tender amount.
        amount: Money,
        /// Amount due.
        due: Money,
    },
    /// A zero or negative tender.
    #[error("take tender: amount must be above zero")]
    NonPositiveTender,
    /// Cancelling a sale that has non-cash tenders not yet voided or reversed.
    #[error("cancel sale: card or QR tenders must be voided first")]
    TendersOutstanding,
    /// Points redemption that the member's balance or the rules do not allow.
    #[error("redeem {points} points: {reason}")]
    Points {
        /// Points asked for.
        points: i64,
        /// Why not.
        reason: String,
    },
}

/// The parts of the store configuration a sale needs.
#[derive(Debug, Clone)]
pub struct SaleRules {
    /// Currency (minor units).
    pub currency: Currency,
    /// Tax and price rounding.
    pub tax: TaxConfig,
    /// Cash rounding increment.
    pub cash_rounding: Option<Decimal>,
    /// Sales above this need a supervisor.
    pub approval_above: Money,
    /// Member points rules.
    pub points: PointsRules,
}

/// A supervisor approval recorded on a sale, for the audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalRecord {
    /// What was approved.
    pub action: Action,
    /// Who approved (the operator's own number when a supervisor acted alone).
    pub supervisor: String,
}

/// Label of the basket discount points redemption creates.
pub const POINTS_LABEL: &str = "Points redeemed";

/// One sale (or refund) from first item to completion.
#[derive(Debug, Clone)]
pub struct Sale {
    id: SaleId,
    kind: SaleKind,
    state: SaleState,
    operator: Operator,
    basket: Basket,
    tenders: Vec<Tender>,
    rounding: Money,
    member: Option<MemberOnSale>,
    original_receipt: Option<String>,
    approvals: Vec<ApprovalRecord>,
    rules: SaleRules,
}

impl Sale {
    /// A new, idle sale with the journal's id.
    pub fn new(id: SaleId, operator: Operator, rules: SaleRules) -> Self {
        Sale {
            id,
            kind: SaleKind::Sale,
            state: SaleState::Idle,
            operator,
            basket: Basket::new(),
            tenders: Vec::new(),
            rounding: Money::ZERO,
            member: None,
            original_receipt: None,
            approvals: Vec::new(),
            rules,
        }
    }

    /// A sale rebuilt from the journal after a restart: its lines and approved tenders as
    /// stored. The state is derived: `Tendering` (or `Completed`) when tenders were taken,
    /// otherwise `Selling`/`Refund` (the cashier totals again). Approvals already given are not
    /// replayed; they are in the journal's audit trail.
    pub fn restore(
        id: SaleId,
        kind: SaleKind,
        operator: Operator,
        rules: SaleRules,
        basket: Basket,
        tenders: Vec<Tender>,
        original_receipt: Option<String>,
    ) -> Self {
        let mut sale = Sale::new(id, operator, rules);
        sale.kind = kind;
        sale.basket = basket;
        sale.original_receipt = original_receipt;
        sale.state = match kind {
            SaleKind::Sale => SaleState::Selling,
            SaleKind::Refund => SaleState::Refund,
        };
        // Cash rounding is applied only by the tender that settles a sale, and a settled sale is
        // completed, never restored, so stored tenders are replayed as they are.
        for t in tenders {
            sale.push_tender(t);
        }
        sale
    }

    /// Puts back the member a restored sale had (balance seen and points redeemed as stored);
    /// the points redemption's basket discount comes back with the basket.
    pub fn restore_member(&mut self, member: MemberOnSale) {
        self.member = Some(member);
    }

    /// The journal id.
    pub fn id(&self) -> SaleId {
        self.id
    }
    /// Sale or refund.
    pub fn kind(&self) -> SaleKind {
        self.kind
    }
    /// Current state.
    pub fn state(&self) -> SaleState {
        self.state
    }
    /// The operator ringing the sale.
    pub fn operator(&self) -> &Operator {
        &self.operator
    }
    /// The basket.
    pub fn basket(&self) -> &Basket {
        &self.basket
    }
    /// Tenders taken, in order.
    pub fn tenders(&self) -> &[Tender] {
        &self.tenders
    }
    /// Cash rounding adjustment (added to the total).
    pub fn rounding(&self) -> Money {
        self.rounding
    }
    /// The member, if one was attached.
    pub fn member(&self) -> Option<&MemberOnSale> {
        self.member.as_ref()
    }
    /// For refunds, the receipt being refunded.
    pub fn original_receipt(&self) -> Option<&str> {
        self.original_receipt.as_deref()
    }
    /// Approvals given during the sale.
    pub fn approvals(&self) -> &[ApprovalRecord] {
        &self.approvals
    }
    /// The rules the sale was started with.
    pub fn rules(&self) -> &SaleRules {
        &self.rules
    }

    fn illegal(&self, operation: &'static str) -> SaleError {
        SaleError::IllegalTransition {
            operation,
            state: self.state,
        }
    }

    fn approve(&mut self, action: Action, approval: Option<&Approval>) -> Result<(), SaleError> {
        let supervisor = authorize(&self.operator, action, approval)?;
        self.approvals.push(ApprovalRecord { action, supervisor });
        Ok(())
    }

    /// Whether lines may be entered; adding to a totalled sale reopens it.
    fn entering(&mut self, operation: &'static str) -> Result<(), SaleError> {
        match self.state {
            SaleState::Idle => self.state = SaleState::Selling,
            SaleState::Selling | SaleState::Refund => {}
            SaleState::Totalled => {
                self.state = match self.kind {
                    SaleKind::Sale => SaleState::Selling,
                    SaleKind::Refund => SaleState::Refund,
                }
            }
            _ => return Err(self.illegal(operation)),
        }
        Ok(())
    }

    fn editable(&self, operation: &'static str) -> Result<(), SaleError> {
        match self.state {
            SaleState::Selling | SaleState::Refund | SaleState::Totalled => Ok(()),
            _ => Err(self.illegal(operation)),
        }
    }

    /// Starts a refund of `original_receipt`; needs a supervisor.
    pub fn begin_refund(
        &mut self,
        original_receipt: &str,
        approval: Option<&Approval>,
    ) -> Result<(), SaleError> {
        if self.state != SaleState::Idle {
            return Err(self.illegal("begin refund"));
        }
        self.approve(Action::Refund, approval)?;
        self.kind = SaleKind::Refund;
        self.state = SaleState::Refund;
        self.original_receipt = Some(original_receipt.to_owned());
        Ok(())
    }

    /// Adds an item; the first item starts the sale.
    pub fn add_item(&mut self, item: &Item, quantity: Quantity) -> Result<LineId, SaleError> {
        let before = self.state;
        self.entering("add item")?;
        self.basket.add(item, quantity).map_err(|e| {
            self.state = before;
            e.into()
        })
    }

    /// Adds a scanned code's resolution with `units` for plain items.
    pub fn add_resolved(
        &mut self,
        resolved: &Resolved<'_>,
        units: u32,
    ) -> Result<LineId, SaleError> {
        let before = self.state;
        self.entering("add item")?;
        self.basket.add_resolved(resolved, units).map_err(|e| {
            self.state = before;
            e.into()
        })
    }

    /// Changes a line's quantity while entering lines.
    pub fn set_quantity(&mut self, line: LineId, quantity: Quantity) -> Result<(), SaleError> {
        if !matches!(self.state, SaleState::Selling | SaleState::Refund) {
            return Err(self.illegal("change quantity"));
        }
        Ok(self.basket.set_quantity(line, quantity)?)
    }

    /// Voids a line: free while entering lines, needs a supervisor once totalled.
    pub fn void_line(
        &mut self,
        line: LineId,
        approval: Option<&Approval>,
    ) -> Result<(), SaleError> {
        match self.state {
            SaleState::Selling | SaleState::Refund => {}
            SaleState::Totalled => {
                self.basket.line(line)?;
                self.approve(Action::VoidAfterTotal, approval)?;
            }
            _ => return Err(self.illegal("void line")),
        }
        Ok(self.basket.void_line(line)?)
    }

    /// Overrides a line's price; needs a supervisor.
    pub fn override_price(
        &mut self,
        line: LineId,
        price: Money,
        approval: Option<&Approval>,
    ) -> Result<(), SaleError> {
        self.editable("override price")?;
        self.basket.line(line)?;
        self.approve(Action::PriceOverride, approval)?;
        Ok(self.basket.override_price(line, price)?)
    }

    /// Discounts one line.
    pub fn discount_line(&mut self, line: LineId, discount: Discount) -> Result<(), SaleError> {
        self.editable("discount line")?;
        Ok(self.basket.discount_line(line, discount)?)
    }

    /// Discounts the basket.
    pub fn discount_basket(&mut self, label: &str, discount: Discount) -> Result<(), SaleError> {
        self.editable("discount basket")?;
        Ok(self.basket.discount_basket(BasketDiscount {
            label: label.to_owned(),
            discount,
        })?)
    }

    /// Attaches a member with their current balance (opening balance plus journal movements).
    pub fn attach_member(&mut self, member: &Member, balance: i64) -> Result<(), SaleError> {
        if self.state == SaleState::Idle {
            self.state = SaleState::Selling;
        }
        self.editable("attach member")?;
        self.basket.remove_basket_discounts(POINTS_LABEL);
        self.member = Some(MemberOnSale {
            id: member.id.clone(),
            name: member.name.clone(),
            balance_before: balance,
            redeemed: 0,
            earned: 0,
        });
        Ok(())
    }

    /// Redeems points as a basket discount once totalled (replacing an earlier redemption).
    pub fn redeem_points(&mut self, points: i64) -> Result<Money, SaleError> {
        if self.state != SaleState::Totalled || self.kind != SaleKind::Sale {
            return Err(self.illegal("redeem points"));
        }
        let fail = |reason: String| SaleError::Points { points, reason };
        let Some(m) = &self.member else {
            return Err(fail("no member on the sale".into()));
        };
        let step = self.rules.points.redeem_step;
        if points <= 0 || points % step != 0 {
            return Err(fail(format!("must be a positive multiple of {step}")));
        }
        if points > m.balance_before {
            return Err(fail(format!("balance is {}", m.balance_before)));
        }
        let value = member::redemption_value(&self.rules.points, points);
        self.basket.remove_basket_discounts(POINTS_LABEL);
        if value > self.totals().total {
            return Err(fail("worth more than the total".into()));
        }
        self.basket.discount_basket(BasketDiscount {
            label: POINTS_LABEL.into(),
            discount: Discount::Amount(value),
        })?;
        if let Some(m) = &mut self.member {
            m.redeemed = points;
        }
        Ok(value)
    }

    /// Prices the basket.
    pub fn totals(&self) -> Totals {
        basket::price(&self.basket, &self.rules.tax, &self.rules.currency)
    }

    /// Totals the sale; above the configured limit a supervisor must approve.
    pub fn total(&mut self, approval: Option<&Approval>) -> Result<Totals, SaleError> {
        if !matches!(self.state, SaleState::Selling | SaleState::Refund) {
            return Err(self.illegal("total"));
        }
        if self.basket.is_empty() {
            return Err(SaleError::EmptyBasket);
        }
        let totals = self.totals();
        if totals.total > self.rules.approval_above {
            self.approve(Action::AboveLimit, approval)?;
        }
        self.state = SaleState::Totalled;
        Ok(totals)
    }

    /// What is still due.
    pub fn remaining_due(&self) -> Money {
        remaining_due(self.totals().total, self.rounding, &self.tenders)
    }

    fn tendering(&self, operation: &'static str) -> Result<(), SaleError> {
        match self.state {
            SaleState::Totalled | SaleState::Tendering => Ok(()),
            _ => Err(self.illegal(operation)),
        }
    }

    /// Takes cash; rounds to the cash increment when it settles the sale. Returns the tender
    /// recorded (with change).
    pub fn tender_cash(&mut self, tendered: Money) -> Result<Tender, SaleError> {
        self.tendering("take cash")?;
        if tendered <= Money::ZERO {
            return Err(SaleError::NonPositiveTender);
        }
        let out = settle_cash(
            self.remaining_due(),
            tendered,
            self.rules.cash_rounding,
            self.rules.tax.rounding,
        );
        self.rounding += out.rounding;
        self.push_tender(out.tender.clone());
        Ok(out.tender)
    }

    /// Adds an approved card or QR tender (or an exact cash tender); never more than is due.
    pub fn add_tender(&mut self, tender: Tender) -> Result<(), SaleError> {
        self.tendering("take tender")?;
        if tender.amount <= Money::ZERO {
            return Err(SaleError::NonPositiveTender);
        }
        let due = self.remaining_due();
        if tender.amount > due {
            return Err(SaleError::Overtender {
                kind: tender.kind(),
                amount: tender.amount,
                due,
            });
        }
        self.push_tender(tender);
        Ok(())
    }

    fn push_tender(&mut self, tender: Tender) {
        self.tenders.push(tender);
        self.state = SaleState::Tendering;
        if self.remaining_due().is_zero() {
            self.state = SaleState::Completed;
            let paid = self.totals().total;
            if let (Some(m), SaleKind::Sale) = (&mut self.member, self.kind) {
                m.earned = member::points_earned(&self.rules.points, paid);
            }
        }
    }

    /// Cancels the sale. Cash already taken is handed back; card or QR tenders must be voided
    /// or reversed first.
    pub fn cancel(&mut self) -> Result<(), SaleError> {
        if self.state.is_final() {
            return Err(self.illegal("cancel"));
        }
        if self.tenders.iter().any(|t| t.kind() != TenderKind::Cash) {
            return Err(SaleError::TendersOutstanding);
        }
        self.state = SaleState::Cancelled;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{TaxClass, TaxPricing, TaxRoundingLevel};
    use crate::money::{money, Rounding};
    use crate::operator::{tests::test_operators, Role};
    use rust_decimal_macros::dec;

    fn rules() -> SaleRules {
        SaleRules {
            currency: Currency::cny(),
            tax: TaxConfig {
                pricing: TaxPricing::Inclusive,
                rounding: Rounding::HalfUp,
                level: TaxRoundingLevel::PerLine,
                classes: vec![TaxClass {
                    code: "A".into(),
                    name: "VAT 13%".into(),
                    rate: dec!(0.13),
                }],
            },
            cash_rounding: Some(dec!(0.10)),
            approval_above: money("100"),
            points: PointsRules {
                points_per_unit: dec!(1),
                point_value: money("0.01"),
                redeem_step: 100,
            },
        }
    }

    fn cashier() -> Operator {
        Operator {
            number: "1001".into(),
            name: "C".into(),
            role: Role::Cashier,
        }
    }

    fn item(price: &str) -> Item {
        Item {
            plu: "10001".into(),
            name: "Thing".into(),
            barcodes: vec![],
            price: money(price),
            tax: "A".into(),
            weighed: false,
            department: "d".into(),
            on_hand: 0,
            promotion: None,
        }
    }

    #[test]
    fn happy_path_with_cash_rounding() {
        let mut s = Sale::new(SaleId(1), cashier(), rules());
        assert_eq!(s.state(), SaleState::Idle);
        s.add_item(&item("12.34"), Quantity::Units(1)).unwrap();
        assert_eq!(s.state(), SaleState::Selling);
        s.total(None).unwrap();
        let t = s.tender_cash(money("20")).unwrap();
        assert_eq!(t.amount, money("12.30"));
        assert_eq!(s.rounding(), money("-0.04"));
        assert_eq!(s.state(), SaleState::Completed);
        assert!(matches!(
            s.add_item(&item("1"), Quantity::Units(1)),
            Err(SaleError::IllegalTransition { .. })
        ));
    }

    #[test]
    fn member_earns_points_on_completion() {
        let mut s = Sale::new(SaleId(1), cashier(), rules());
        let m = Member {
            id: "M1".into(),
            name: "N".into(),
            phone: "1".into(),
            card: "2".into(),
            points: 0,
        };
        s.add_item(&item("50.00"), Quantity::Units(1)).unwrap();
        s.attach_member(&m, 300).unwrap();
        s.total(None).unwrap();
        assert_eq!(s.redeem_points(200).unwrap(), money("2.00"));
        assert!(matches!(
            s.redeem_points(400),
            Err(SaleError::Points { .. })
        ));
        assert!(matches!(
            s.redeem_points(150),
            Err(SaleError::Points { .. })
        ));
        s.redeem_points(200).unwrap();
        assert_eq!(s.totals().total, money("48.00"));
        s.tender_cash(money("48")).unwrap();
        let m = s.member().unwrap();
        assert_eq!((m.redeemed, m.earned, m.balance_after()), (200, 48, 148));
    }

    #[test]
    fn above_limit_needs_supervisor() {
        let ops = test_operators();
        let mut s = Sale::new(SaleId(1), cashier(), rules());
        s.add_item(&item("150.00"), Quantity::Units(1)).unwrap();
        assert_eq!(
            s.total(None).unwrap_err(),
            SaleError::Operator(OperatorError::ApprovalRequired(Action::AboveLimit))
        );
        let a = ops.approve("9001", "9999", Action::AboveLimit).unwrap();
        s.total(Some(&a)).unwrap();
        assert_eq!(s.approvals()[0].supervisor, "9001");
    }
}
