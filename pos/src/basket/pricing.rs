//! Pricing a basket: gross line amounts, promotions, line discounts, basket discounts spread over
//! the lines (so tax sees them), tax, and the totals a receipt and the tenders work from.

use serde::{Deserialize, Serialize};

use super::tax::{self, TaxBreakdown};
use super::{Basket, LineId, Quantity};
use crate::config::{TaxConfig, TaxPricing};
use crate::money::{Currency, Money};

/// How one live line was priced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinePricing {
    /// The line.
    pub line: LineId,
    /// Amount before promotions and discounts.
    pub gross: Money,
    /// Promotion taken off this line.
    pub promotion: Money,
    /// Line discount taken off.
    pub line_discount: Money,
    /// This line's share of basket discounts.
    pub basket_discount: Money,
    /// Amount after everything, as priced (tax included when pricing is inclusive).
    pub net: Money,
    /// This line's tax when tax is rounded per line.
    pub tax: Option<Money>,
}

/// The priced basket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Live lines in basket order.
    pub lines: Vec<LinePricing>,
    /// Sum of gross line amounts.
    pub subtotal: Money,
    /// Sum of promotions.
    pub promotions: Money,
    /// Sum of line discounts.
    pub line_discounts: Money,
    /// Each basket discount's amount, in the order given (label, amount).
    pub basket_discounts: Vec<(String, Money)>,
    /// Total tax.
    pub tax: Money,
    /// Per-rate breakdown.
    pub tax_breakdown: Vec<TaxBreakdown>,
    /// Amount due.
    pub total: Money,
    /// Units sold (weighed lines count one).
    pub item_count: u32,
}

impl Totals {
    /// Everything taken off the subtotal.
    pub fn savings(&self) -> Money {
        self.promotions
            + self.line_discounts
            + self.basket_discounts.iter().map(|(_, m)| *m).sum::<Money>()
    }

    /// The pricing of `line`, if it is live.
    pub fn line(&self, line: LineId) -> Option<&LinePricing> {
        self.lines.iter().find(|l| l.line == line)
    }
}

/// Prices `basket` under the store's tax configuration.
pub fn price(basket: &Basket, tax_cfg: &TaxConfig, currency: &Currency) -> Totals {
    let dp = currency.minor_units;
    let rounding = tax_cfg.rounding;
    let live: Vec<_> = basket.lines().iter().filter(|l| !l.voided).collect();
    let mut priced: Vec<LinePricing> = live
        .iter()
        .map(|l| LinePricing {
            line: l.id,
            gross: l.gross(dp, rounding),
            promotion: Money::ZERO,
            line_discount: Money::ZERO,
            basket_discount: Money::ZERO,
            net: Money::ZERO,
            tax: None,
        })
        .collect();

    // Promotions per item: the free units are the last ones scanned.
    let mut done: Vec<&str> = Vec::new();
    for l in &live {
        let Some(promo) = l.promotion else { continue };
        if done.contains(&l.plu.as_str()) {
            continue;
        }
        done.push(&l.plu);
        let same: Vec<usize> = (0..live.len())
            .filter(|&i| {
                live[i].plu == l.plu
                    && live[i].fixed_amount.is_none()
                    && matches!(live[i].quantity, Quantity::Units(_))
            })
            .collect();
        let units: u32 = same.iter().map(|&i| live[i].quantity.units()).sum();
        let mut free = promo.free_units(units);
        for &i in same.iter().rev() {
            if free == 0 {
                break;
            }
            let take = free.min(live[i].quantity.units());
            priced[i].promotion = live[i].unit_price.times(take.into());
            free -= take;
        }
    }

    for (p, l) in priced.iter_mut().zip(&live) {
        if let Some(d) = l.discount {
            p.line_discount = d.off(p.gross - p.promotion, dp, rounding);
        }
    }

    // Basket discounts, each on what is left, spread over the lines in proportion.
    let mut basket_discounts = Vec::new();
    for bd in basket.discounts() {
        let bases: Vec<Money> = priced
            .iter()
            .map(|p| p.gross - p.promotion - p.line_discount - p.basket_discount)
            .collect();
        let base: Money = bases.iter().sum();
        let off = bd.discount.off(base, dp, rounding);
        for (p, share) in priced.iter_mut().zip(spread(off, &bases, dp)) {
            p.basket_discount += share;
        }
        basket_discounts.push((bd.label.clone(), off));
    }

    for p in &mut priced {
        p.net = p.gross - p.promotion - p.line_discount - p.basket_discount;
    }
    let tax_lines: Vec<(&str, Money)> = live
        .iter()
        .zip(&priced)
        .map(|(l, p)| (l.tax_class.as_str(), p.net))
        .collect();
    let (line_tax, tax_breakdown) = tax::compute(&tax_lines, tax_cfg, dp);
    for (p, t) in priced.iter_mut().zip(line_tax) {
        p.tax = t;
    }
    let tax: Money = tax_breakdown.iter().map(|b| b.tax).sum();
    let net: Money = priced.iter().map(|p| p.net).sum();
    let total = match tax_cfg.pricing {
        TaxPricing::Inclusive => net,
        TaxPricing::Exclusive => net + tax,
    };
    Totals {
        subtotal: priced.iter().map(|p| p.gross).sum(),
        promotions: priced.iter().map(|p| p.promotion).sum(),
        line_discounts: priced.iter().map(|p| p.line_discount).sum(),
        basket_discounts,
        tax,
        tax_breakdown,
        total,
        item_count: live.iter().map(|l| l.quantity.units()).sum(),
        lines: priced,
    }
}

/// Splits `amount` over `bases` in proportion, in whole minor units, so the shares add up to
/// `amount` exactly: each share is rounded down, and the leftover minor units go one each to
/// the largest remainders (earlier lines first on ties).
fn spread(amount: Money, bases: &[Money], dp: u32) -> Vec<Money> {
    let total: Money = bases.iter().sum();
    if total.is_zero() || amount.is_zero() {
        return vec![Money::ZERO; bases.len()];
    }
    let unit = Money::new(rust_decimal::Decimal::new(1, dp));
    let exact: Vec<Money> = bases
        .iter()
        .map(|b| amount.times(b.amount() / total.amount()))
        .collect();
    let mut shares: Vec<Money> = exact
        .iter()
        .map(|e| Money::new(e.amount().trunc_with_scale(dp)))
        .collect();
    let mut left = amount - shares.iter().sum::<Money>();
    let mut order: Vec<usize> = (0..bases.len()).collect();
    order.sort_by(|&a, &b| {
        (exact[b] - shares[b])
            .cmp(&(exact[a] - shares[a]))
            .then(a.cmp(&b))
    });
    for i in order.into_iter().cycle() {
        if left <= Money::ZERO {
            break;
        }
        shares[i] += unit;
        left -= unit;
    }
    shares
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::money;

    #[test]
    fn spread_adds_up_exactly() {
        let bases = [money("1.00"), money("1.00"), money("1.00")];
        let s = spread(money("1.00"), &bases, 2);
        assert_eq!(s, vec![money("0.34"), money("0.33"), money("0.33")]);
        let s = spread(money("0.05"), &[money("9.99"), money("0.01")], 2);
        assert_eq!(s.iter().sum::<Money>(), money("0.05"));
        assert_eq!(spread(money("1"), &[Money::ZERO], 2), vec![Money::ZERO]);
    }
}
