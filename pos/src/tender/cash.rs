//! Cash: rounding the amount due to the store's cash increment, and change.

use rust_decimal::Decimal;

use super::record::Tender;
use crate::money::{Money, Rounding};

/// The result of taking cash towards what is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CashOutcome {
    /// The cash tender (amount applied, tendered, change).
    pub tender: Tender,
    /// Cash rounding adjustment added to what is due (negative when rounded down); zero unless
    /// this cash settles the sale.
    pub rounding: Money,
}

/// Takes `tendered` in cash towards `due`. If it covers the due amount rounded to the cash
/// increment, the sale is settled: the rounding adjustment is returned and the rest is change.
/// Otherwise all of it is applied (a partial cash payment in a split tender) and nothing is
/// rounded.
pub fn settle_cash(
    due: Money,
    tendered: Money,
    increment: Option<Decimal>,
    rule: Rounding,
) -> CashOutcome {
    let rounded_due = match increment {
        Some(inc) => due.round_to_increment(inc, rule),
        None => due,
    };
    if tendered >= rounded_due {
        CashOutcome {
            tender: Tender::cash(rounded_due, tendered, tendered - rounded_due),
            rounding: rounded_due - due,
        }
    } else {
        CashOutcome {
            tender: Tender::cash(tendered, tendered, Money::ZERO),
            rounding: Money::ZERO,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::money;
    use crate::tender::TenderDetail;
    use rust_decimal_macros::dec;

    fn change(o: &CashOutcome) -> Money {
        match &o.tender.detail {
            TenderDetail::Cash(c) => c.change,
            _ => unreachable!(),
        }
    }

    #[test]
    fn rounds_due_then_gives_change() {
        let o = settle_cash(
            money("12.34"),
            money("20.00"),
            Some(dec!(0.10)),
            Rounding::HalfUp,
        );
        assert_eq!(
            (o.tender.amount, change(&o), o.rounding),
            (money("12.30"), money("7.70"), money("-0.04"))
        );
        let o = settle_cash(
            money("12.35"),
            money("12.40"),
            Some(dec!(0.10)),
            Rounding::HalfUp,
        );
        assert_eq!(
            (o.tender.amount, change(&o), o.rounding),
            (money("12.40"), money("0.00"), money("0.05"))
        );
        let o = settle_cash(
            money("12.33"),
            money("20"),
            Some(dec!(0.05)),
            Rounding::HalfUp,
        );
        assert_eq!(
            (o.tender.amount, change(&o)),
            (money("12.35"), money("7.65"))
        );
    }

    #[test]
    fn partial_cash_is_not_rounded() {
        let o = settle_cash(
            money("50.00"),
            money("20.00"),
            Some(dec!(0.10)),
            Rounding::HalfUp,
        );
        assert_eq!(
            (o.tender.amount, change(&o), o.rounding),
            (money("20.00"), Money::ZERO, Money::ZERO)
        );
    }

    #[test]
    fn exact_without_increment() {
        let o = settle_cash(money("12.34"), money("50"), None, Rounding::HalfUp);
        assert_eq!(
            (o.tender.amount, change(&o), o.rounding),
            (money("12.34"), money("37.66"), Money::ZERO)
        );
    }
}
