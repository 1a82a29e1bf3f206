//! Discounts on a line or on the whole basket: a percentage or a fixed amount, never more than
//! what it applies to.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::money::{Money, Rounding};

/// A discount's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Discount {
    /// Percent off (`10` = 10 %), 0 < p ≤ 100.
    Percent(Decimal),
    /// A fixed amount off, capped at what it applies to.
    Amount(Money),
}

impl Discount {
    /// Checks the discount is usable.
    pub fn validate(&self) -> Result<(), String> {
        match *self {
            Discount::Percent(p) if p <= Decimal::ZERO || p > Decimal::ONE_HUNDRED => {
                Err(format!("percentage {p} is not in (0, 100]"))
            }
            Discount::Amount(a) if a.is_negative() || a.is_zero() => {
                Err(format!("amount {a} is not positive"))
            }
            _ => Ok(()),
        }
    }

    /// The amount taken off `base`, rounded to `dp` decimals and never more than `base`.
    pub fn off(&self, base: Money, dp: u32, rounding: Rounding) -> Money {
        if base.is_negative() || base.is_zero() {
            return Money::ZERO;
        }
        let off = match *self {
            Discount::Percent(p) => base.times(p / Decimal::ONE_HUNDRED).round(dp, rounding),
            Discount::Amount(a) => a,
        };
        off.min(base)
    }

    /// A short label for receipts: `10%` or `5.00`.
    pub fn label(&self) -> String {
        match self {
            Discount::Percent(p) => format!("{}%", p.normalize()),
            Discount::Amount(a) => a.to_string(),
        }
    }
}

/// A discount on the whole basket, with the reason printed on the receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BasketDiscount {
    /// Receipt label, e.g. `Staff discount` or `Points redeemed`.
    pub label: String,
    /// The size.
    pub discount: Discount,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::money;
    use rust_decimal_macros::dec;

    #[test]
    fn percent_and_amount() {
        let r = Rounding::HalfUp;
        assert_eq!(
            Discount::Percent(dec!(10)).off(money("12.35"), 2, r),
            money("1.24")
        );
        assert_eq!(
            Discount::Percent(dec!(10)).off(money("12.35"), 2, Rounding::HalfEven),
            money("1.24")
        );
        assert_eq!(
            Discount::Percent(dec!(15)).off(money("0.30"), 2, Rounding::HalfEven),
            money("0.04")
        );
        assert_eq!(
            Discount::Amount(money("5")).off(money("3.20"), 2, r),
            money("3.20")
        );
        assert_eq!(Discount::Percent(dec!(10)).label(), "10%");
        assert!(Discount::Percent(dec!(101)).validate().is_err());
        assert!(Discount::Amount(money("0")).validate().is_err());
    }
}
