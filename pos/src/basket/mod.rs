//! The basket: lines with quantities, voids, price overrides and discounts, priced into
//! [`Totals`] with promotions and tax. Pure data: permissions and the sale lifecycle are
//! [`crate::sale`]'s business.

pub mod discount;
pub mod line;
pub mod pricing;
pub mod promotion;
pub mod tax;

use serde::{Deserialize, Serialize};

use crate::catalog::{Item, Resolved};
use crate::money::Money;

pub use discount::{BasketDiscount, Discount};
pub use line::{Line, LineId, Quantity};
pub use pricing::{price, LinePricing, Totals};
pub use promotion::Promotion;
pub use tax::TaxBreakdown;

/// A basket operation that cannot be done.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BasketError {
    /// No line with that number.
    #[error("change line {0}: no such line")]
    UnknownLine(u32),
    /// The line was voided already.
    #[error("change line {0}: line is voided")]
    LineVoided(u32),
    /// Units for a weighed item, or grams for a piece item.
    #[error("sell `{0}`: wrong kind of quantity (weighed items need grams, others units)")]
    WrongQuantityKind(String),
    /// Zero quantity.
    #[error("sell `{0}`: quantity must be above zero")]
    ZeroQuantity(String),
    /// A quantity change on a line whose amount is fixed by a price-embedded code.
    #[error("change line {0}: its amount is fixed by a price-embedded code")]
    FixedAmount(u32),
    /// A negative price.
    #[error("override line {0}: negative price")]
    NegativePrice(u32),
    /// An invalid discount.
    #[error("apply discount: {0}")]
    BadDiscount(String),
}

/// Lines and basket discounts, in entry order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Basket {
    lines: Vec<Line>,
    discounts: Vec<BasketDiscount>,
}

impl Basket {
    /// An empty basket.
    pub fn new() -> Self {
        Basket::default()
    }

    /// A basket rebuilt from stored lines and discounts (crash recovery from the journal).
    pub fn from_parts(lines: Vec<Line>, discounts: Vec<BasketDiscount>) -> Self {
        Basket { lines, discounts }
    }

    /// All lines, voided ones included, in entry order.
    pub fn lines(&self) -> &[Line] {
        &self.lines
    }

    /// Basket discounts in entry order.
    pub fn discounts(&self) -> &[BasketDiscount] {
        &self.discounts
    }

    /// Whether no live line is left.
    pub fn is_empty(&self) -> bool {
        self.lines.iter().all(|l| l.voided)
    }

    /// The line `id`.
    pub fn line(&self, id: LineId) -> Result<&Line, BasketError> {
        self.lines
            .iter()
            .find(|l| l.id == id)
            .ok_or(BasketError::UnknownLine(id.0))
    }

    fn live_line_mut(&mut self, id: LineId) -> Result<&mut Line, BasketError> {
        let line = self
            .lines
            .iter_mut()
            .find(|l| l.id == id)
            .ok_or(BasketError::UnknownLine(id.0))?;
        if line.voided {
            return Err(BasketError::LineVoided(id.0));
        }
        Ok(line)
    }

    /// Adds `quantity` of `item`: units for piece items, grams for weighed items.
    pub fn add(&mut self, item: &Item, quantity: Quantity) -> Result<LineId, BasketError> {
        check_quantity(item, quantity)?;
        let id = LineId(self.lines.len() as u32 + 1);
        self.lines.push(Line {
            id,
            plu: item.plu.clone(),
            name: item.name.clone(),
            tax_class: item.tax.clone(),
            quantity,
            unit_price: item.price,
            overridden_from: None,
            fixed_amount: None,
            promotion: item.promotion,
            discount: None,
            voided: false,
        });
        Ok(id)
    }

    /// Adds a scanned code's resolution: `units` of a plain item, or the weight or price a code
    /// carries. A plain weighed item needs its weight from the scale: use [`Basket::add`] with
    /// grams.
    pub fn add_resolved(
        &mut self,
        resolved: &Resolved<'_>,
        units: u32,
    ) -> Result<LineId, BasketError> {
        match *resolved {
            Resolved::Item(item) => self.add(item, Quantity::Units(units)),
            Resolved::Weighed { item, grams } => self.add(item, Quantity::Grams(grams)),
            Resolved::Priced { item, price } => {
                let quantity = if item.weighed {
                    Quantity::Grams(0)
                } else {
                    Quantity::Units(1)
                };
                let id = LineId(self.lines.len() as u32 + 1);
                self.lines.push(Line {
                    id,
                    plu: item.plu.clone(),
                    name: item.name.clone(),
                    tax_class: item.tax.clone(),
                    quantity,
                    unit_price: price,
                    overridden_from: None,
                    fixed_amount: Some(price),
                    promotion: None,
                    discount: None,
                    voided: false,
                });
                Ok(id)
            }
        }
    }

    /// Changes a line's quantity (same kind: units or grams).
    pub fn set_quantity(&mut self, id: LineId, quantity: Quantity) -> Result<(), BasketError> {
        let line = self.live_line_mut(id)?;
        if line.fixed_amount.is_some() {
            return Err(BasketError::FixedAmount(id.0));
        }
        let same_kind = matches!(
            (line.quantity, quantity),
            (Quantity::Units(_), Quantity::Units(_)) | (Quantity::Grams(_), Quantity::Grams(_))
        );
        if !same_kind {
            return Err(BasketError::WrongQuantityKind(line.plu.clone()));
        }
        if quantity.stock() == 0 {
            return Err(BasketError::ZeroQuantity(line.plu.clone()));
        }
        line.quantity = quantity;
        Ok(())
    }

    /// Overrides a line's unit price, remembering the catalog price.
    pub fn override_price(&mut self, id: LineId, price: Money) -> Result<(), BasketError> {
        if price.is_negative() {
            return Err(BasketError::NegativePrice(id.0));
        }
        let line = self.live_line_mut(id)?;
        if line.overridden_from.is_none() {
            line.overridden_from = Some(line.fixed_amount.unwrap_or(line.unit_price));
        }
        line.unit_price = price;
        if line.fixed_amount.is_some() {
            line.fixed_amount = Some(price);
        }
        Ok(())
    }

    /// Voids a line. It stays in the basket, marked.
    pub fn void_line(&mut self, id: LineId) -> Result<(), BasketError> {
        self.live_line_mut(id)?.voided = true;
        Ok(())
    }

    /// Sets (or replaces) a line's discount.
    pub fn discount_line(&mut self, id: LineId, discount: Discount) -> Result<(), BasketError> {
        discount.validate().map_err(BasketError::BadDiscount)?;
        self.live_line_mut(id)?.discount = Some(discount);
        Ok(())
    }

    /// Adds a basket discount.
    pub fn discount_basket(&mut self, discount: BasketDiscount) -> Result<(), BasketError> {
        discount
            .discount
            .validate()
            .map_err(BasketError::BadDiscount)?;
        self.discounts.push(discount);
        Ok(())
    }

    /// Removes basket discounts with `label` (e.g. to redo a points redemption).
    pub fn remove_basket_discounts(&mut self, label: &str) {
        self.discounts.retain(|d| d.label != label);
    }
}

fn check_quantity(item: &Item, quantity: Quantity) -> Result<(), BasketError> {
    match quantity {
        Quantity::Units(_) if item.weighed => Err(BasketError::WrongQuantityKind(item.plu.clone())),
        Quantity::Grams(_) if !item.weighed => {
            Err(BasketError::WrongQuantityKind(item.plu.clone()))
        }
        q if q.stock() == 0 => Err(BasketError::ZeroQuantity(item.plu.clone())),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::money;

    fn item(plu: &str, price: &str, weighed: bool) -> Item {
        Item {
            plu: plu.into(),
            name: plu.into(),
            barcodes: vec![],
            price: money(price),
            tax: "A".into(),
            weighed,
            department: "d".into(),
            on_hand: 0,
            promotion: None,
        }
    }

    #[test]
    fn quantities_must_match_the_item() {
        let mut b = Basket::new();
        assert!(b
            .add(&item("10001", "1", true), Quantity::Units(1))
            .is_err());
        assert!(b
            .add(&item("10001", "1", false), Quantity::Grams(100))
            .is_err());
        assert!(b
            .add(&item("10001", "1", false), Quantity::Units(0))
            .is_err());
        let id = b
            .add(&item("10001", "1", false), Quantity::Units(2))
            .unwrap();
        b.set_quantity(id, Quantity::Units(5)).unwrap();
        assert_eq!(b.line(id).unwrap().quantity, Quantity::Units(5));
    }

    #[test]
    fn void_keeps_line_but_blocks_changes() {
        let mut b = Basket::new();
        let id = b
            .add(&item("10001", "1", false), Quantity::Units(1))
            .unwrap();
        b.void_line(id).unwrap();
        assert!(b.is_empty());
        assert_eq!(b.lines().len(), 1);
        assert_eq!(b.void_line(id), Err(BasketError::LineVoided(1)));
        assert_eq!(b.void_line(LineId(9)), Err(BasketError::UnknownLine(9)));
    }

    #[test]
    fn override_remembers_catalog_price() {
        let mut b = Basket::new();
        let id = b
            .add(&item("10001", "4.50", false), Quantity::Units(1))
            .unwrap();
        b.override_price(id, money("3.00")).unwrap();
        b.override_price(id, money("2.00")).unwrap();
        let l = b.line(id).unwrap();
        assert_eq!(
            (l.unit_price, l.overridden_from),
            (money("2.00"), Some(money("4.50")))
        );
    }
}
