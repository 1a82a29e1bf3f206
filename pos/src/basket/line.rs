//! A basket line: the item sold, its quantity (units or grams), its unit price and any override,
//! line discount or void.

use serde::{Deserialize, Serialize};

use super::discount::Discount;
use super::promotion::Promotion;
use crate::money::{Money, Rounding};

/// A line's number within its basket, in the order lines were added (1, 2, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct LineId(pub u32);

/// How much of an item a line sells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Quantity {
    /// Whole units of a piece item.
    Units(u32),
    /// Grams of a weighed item (priced per kg).
    Grams(u32),
}

impl Quantity {
    /// Units for promotions and item counts; a weighed line counts as one item.
    pub fn units(self) -> u32 {
        match self {
            Quantity::Units(n) => n,
            Quantity::Grams(_) => 1,
        }
    }

    /// The amount taken off inventory: units, or grams.
    pub fn stock(self) -> i64 {
        match self {
            Quantity::Units(n) | Quantity::Grams(n) => i64::from(n),
        }
    }
}

/// One line of a basket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    /// Line number.
    pub id: LineId,
    /// Item PLU.
    pub plu: String,
    /// Item name as printed.
    pub name: String,
    /// Tax class code.
    pub tax_class: String,
    /// Units or grams.
    pub quantity: Quantity,
    /// Price per unit (or per kg), after any override.
    pub unit_price: Money,
    /// The catalog price before an override, when the price was overridden.
    pub overridden_from: Option<Money>,
    /// A price-embedded code fixes the line amount.
    pub fixed_amount: Option<Money>,
    /// The item's promotion, if any.
    pub promotion: Option<Promotion>,
    /// A discount on this line.
    pub discount: Option<Discount>,
    /// Voided lines stay in the basket (and on the journal) but count for nothing.
    pub voided: bool,
}

impl Line {
    /// The line's amount before promotions and discounts, rounded to `dp` decimals: units ×
    /// price, or price per kg × grams / 1000, or the embedded price.
    pub fn gross(&self, dp: u32, rounding: Rounding) -> Money {
        if let Some(fixed) = self.fixed_amount {
            return fixed;
        }
        let exact = match self.quantity {
            Quantity::Units(n) => self.unit_price.times(n.into()),
            Quantity::Grams(g) => self
                .unit_price
                .times(rust_decimal::Decimal::new(g.into(), 3)),
        };
        exact.round(dp, rounding)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::money;

    fn line(q: Quantity, price: &str) -> Line {
        Line {
            id: LineId(1),
            plu: "20001".into(),
            name: "Apples".into(),
            tax_class: "B".into(),
            quantity: q,
            unit_price: money(price),
            overridden_from: None,
            fixed_amount: None,
            promotion: None,
            discount: None,
            voided: false,
        }
    }

    #[test]
    fn weighed_gross_is_price_per_kg_times_kg_rounded() {
        // 6.98/kg × 1.255 kg = 8.7599 → 8.76
        assert_eq!(
            line(Quantity::Grams(1255), "6.98").gross(2, Rounding::HalfUp),
            money("8.76")
        );
        // 9.80/kg × 0.125 kg = 1.225 → 1.23 half-up, 1.22 half-even
        assert_eq!(
            line(Quantity::Grams(125), "9.80").gross(2, Rounding::HalfUp),
            money("1.23")
        );
        assert_eq!(
            line(Quantity::Grams(125), "9.80").gross(2, Rounding::HalfEven),
            money("1.22")
        );
    }

    #[test]
    fn unit_gross_and_fixed_amount() {
        assert_eq!(
            line(Quantity::Units(3), "0.10").gross(2, Rounding::HalfUp),
            money("0.30")
        );
        let mut l = line(Quantity::Units(1), "5.00");
        l.fixed_amount = Some(money("19.99"));
        assert_eq!(l.gross(2, Rounding::HalfUp), money("19.99"));
    }
}
