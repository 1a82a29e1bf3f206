//! Tax: extracting (inclusive pricing) or adding (exclusive pricing) each rate's tax, rounded
//! per line or per receipt as the store configures, and the per-rate breakdown for receipts.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::config::{TaxConfig, TaxPricing, TaxRoundingLevel};
use crate::money::Money;

/// One rate's totals on a receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxBreakdown {
    /// Class code.
    pub code: String,
    /// Class name.
    pub name: String,
    /// Rate as a fraction.
    pub rate: Decimal,
    /// Amount excluding tax.
    pub net: Money,
    /// Tax.
    pub tax: Money,
    /// Amount including tax.
    pub gross: Money,
}

/// The unrounded tax in `amount` (a line's amount after discounts, as priced on the shelf).
pub fn exact_tax(amount: Money, rate: Decimal, pricing: TaxPricing) -> Money {
    match pricing {
        TaxPricing::Inclusive => amount.times(rate / (Decimal::ONE + rate)),
        TaxPricing::Exclusive => amount.times(rate),
    }
}

/// Computes each line's tax (per-line rounding only) and the breakdown per rate, in the order
/// of the configured classes. `lines` are (tax class, amount after discounts) pairs.
///
/// # Panics
/// If a line names a class missing from `tax` (the catalog loader rejects such items).
pub fn compute(
    lines: &[(&str, Money)],
    tax: &TaxConfig,
    dp: u32,
) -> (Vec<Option<Money>>, Vec<TaxBreakdown>) {
    let rate_of = |code: &str| {
        tax.class(code)
            .unwrap_or_else(|| {
                panic!("tax class `{code}` must exist: the catalog loader checks it")
            })
            .rate
    };
    let per_line: Vec<Option<Money>> = lines
        .iter()
        .map(|&(code, amount)| match tax.level {
            TaxRoundingLevel::PerLine => {
                Some(exact_tax(amount, rate_of(code), tax.pricing).round(dp, tax.rounding))
            }
            TaxRoundingLevel::PerReceipt => None,
        })
        .collect();
    let mut breakdown = Vec::new();
    for class in &tax.classes {
        let mine: Vec<usize> = (0..lines.len())
            .filter(|&i| lines[i].0 == class.code)
            .collect();
        if mine.is_empty() {
            continue;
        }
        let amount: Money = mine.iter().map(|&i| lines[i].1).sum();
        let tax_amount = match tax.level {
            TaxRoundingLevel::PerLine => mine.iter().filter_map(|&i| per_line[i]).sum(),
            TaxRoundingLevel::PerReceipt => {
                exact_tax(amount, class.rate, tax.pricing).round(dp, tax.rounding)
            }
        };
        let (net, gross) = match tax.pricing {
            TaxPricing::Inclusive => (amount - tax_amount, amount),
            TaxPricing::Exclusive => (amount, amount + tax_amount),
        };
        breakdown.push(TaxBreakdown {
            code: class.code.clone(),
            name: class.name.clone(),
            rate: class.rate,
            net,
            tax: tax_amount,
            gross,
        });
    }
    (per_line, breakdown)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::TaxClass;
    use crate::money::{money, Rounding};
    use rust_decimal_macros::dec;

    fn cfg(pricing: TaxPricing, level: TaxRoundingLevel) -> TaxConfig {
        TaxConfig {
            pricing,
            rounding: Rounding::HalfUp,
            level,
            classes: vec![TaxClass {
                code: "A".into(),
                name: "VAT 13%".into(),
                rate: dec!(0.13),
            }],
        }
    }

    #[test]
    fn inclusive_extracts_and_exclusive_adds() {
        let lines = [("A", money("11.30"))];
        let (_, b) = compute(
            &lines,
            &cfg(TaxPricing::Inclusive, TaxRoundingLevel::PerLine),
            2,
        );
        assert_eq!(
            (b[0].net, b[0].tax, b[0].gross),
            (money("10.00"), money("1.30"), money("11.30"))
        );
        let (_, b) = compute(
            &lines,
            &cfg(TaxPricing::Exclusive, TaxRoundingLevel::PerLine),
            2,
        );
        assert_eq!(
            (b[0].net, b[0].tax, b[0].gross),
            (money("11.30"), money("1.47"), money("12.77"))
        );
    }

    #[test]
    fn per_line_and_per_receipt_rounding_differ() {
        // Three lines of 0.10 at 13 % exclusive: per line 0.013 → 0.01 each = 0.03;
        // per receipt 0.039 → 0.04.
        let lines = [
            ("A", money("0.10")),
            ("A", money("0.10")),
            ("A", money("0.10")),
        ];
        let (l, b) = compute(
            &lines,
            &cfg(TaxPricing::Exclusive, TaxRoundingLevel::PerLine),
            2,
        );
        assert_eq!(l, vec![Some(money("0.01")); 3]);
        assert_eq!(b[0].tax, money("0.03"));
        let (l, b) = compute(
            &lines,
            &cfg(TaxPricing::Exclusive, TaxRoundingLevel::PerReceipt),
            2,
        );
        assert_eq!(l, vec![None; 3]);
        assert_eq!(b[0].tax, money("0.04"));
    }
}
