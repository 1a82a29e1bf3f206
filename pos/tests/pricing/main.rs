//! Pricing through the public API: exact decimal totals, inclusive and exclusive tax, per-line
//! and per-receipt rounding, promotions, discounts, weighed and price-embedded items.

#[path = "../support/mod.rs"]
mod support;

use posrig_pos::basket::{price, Basket, Discount, Quantity};
use posrig_pos::catalog::{in_store_code, Item, Resolved};
use posrig_pos::config::{TaxClass, TaxConfig, TaxPricing, TaxRoundingLevel};
use posrig_pos::money::{money, Currency, Money, Rounding};
use rust_decimal_macros::dec;

fn item(plu: &str, price: &str, tax: &str) -> Item {
    Item {
        plu: plu.into(),
        name: format!("Item {plu}"),
        barcodes: vec![],
        price: money(price),
        tax: tax.into(),
        weighed: false,
        department: "test".into(),
        on_hand: 0,
        promotion: None,
    }
}

fn tax(pricing: TaxPricing, level: TaxRoundingLevel, rounding: Rounding) -> TaxConfig {
    TaxConfig {
        pricing,
        rounding,
        level,
        classes: vec![
            TaxClass {
                code: "A".into(),
                name: "VAT 13%".into(),
                rate: dec!(0.13),
            },
            TaxClass {
                code: "B".into(),
                name: "VAT 9%".into(),
                rate: dec!(0.09),
            },
        ],
    }
}

#[test]
fn point_one_plus_point_two_with_tax_is_exact() {
    let mut b = Basket::new();
    b.add(&item("10001", "0.10", "A"), Quantity::Units(1))
        .unwrap();
    b.add(&item("10002", "0.20", "A"), Quantity::Units(1))
        .unwrap();
    let cny = Currency::cny();
    // Exclusive, per receipt: 0.30 × 13 % = 0.039 → 0.04; total 0.34 exactly.
    let t = price(
        &b,
        &tax(
            TaxPricing::Exclusive,
            TaxRoundingLevel::PerReceipt,
            Rounding::HalfUp,
        ),
        &cny,
    );
    assert_eq!(t.subtotal, money("0.30"));
    assert_eq!(t.subtotal.to_string(), "0.30");
    assert_eq!(t.tax, money("0.04"));
    assert_eq!(t.total, money("0.34"));
    assert_eq!(cny.to_minor(t.total).unwrap(), 34);
    // Per line: 0.013 → 0.01 and 0.026 → 0.03 = 0.04 as well, total 0.34.
    let t = price(
        &b,
        &tax(
            TaxPricing::Exclusive,
            TaxRoundingLevel::PerLine,
            Rounding::HalfUp,
        ),
        &cny,
    );
    assert_eq!((t.tax, t.total), (money("0.04"), money("0.34")));
    // Inclusive: total stays 0.30; tax extracted 0.30 × 0.13/1.13 = 0.0345… → 0.03.
    let t = price(
        &b,
        &tax(
            TaxPricing::Inclusive,
            TaxRoundingLevel::PerReceipt,
            Rounding::HalfUp,
        ),
        &cny,
    );
    assert_eq!((t.tax, t.total), (money("0.03"), money("0.30")));
    assert_eq!(t.tax_breakdown[0].net, money("0.27"));
}

#[test]
fn inclusive_and_exclusive_with_several_rates() {
    let mut b = Basket::new();
    b.add(&item("10001", "11.30", "A"), Quantity::Units(2))
        .unwrap();
    b.add(&item("10002", "10.90", "B"), Quantity::Units(1))
        .unwrap();
    let cny = Currency::cny();
    let t = price(
        &b,
        &tax(
            TaxPricing::Inclusive,
            TaxRoundingLevel::PerLine,
            Rounding::HalfUp,
        ),
        &cny,
    );
    assert_eq!(t.total, money("33.50"));
    let codes: Vec<_> = t
        .tax_breakdown
        .iter()
        .map(|x| (x.code.as_str(), x.net, x.tax))
        .collect();
    assert_eq!(
        codes,
        vec![
            ("A", money("20.00"), money("2.60")),
            ("B", money("10.00"), money("0.90"))
        ]
    );
    let t = price(
        &b,
        &tax(
            TaxPricing::Exclusive,
            TaxRoundingLevel::PerLine,
            Rounding::HalfUp,
        ),
        &cny,
    );
    // 22.60 × 0.13 = 2.938 → 2.94; 10.90 × 0.09 = 0.981 → 0.98.
    assert_eq!((t.tax, t.total), (money("3.92"), money("37.42")));
}

#[test]
fn per_line_versus_per_receipt_rounding() {
    let mut b = Basket::new();
    for plu in ["10001", "10002", "10003"] {
        b.add(&item(plu, "0.10", "A"), Quantity::Units(1)).unwrap();
    }
    let cny = Currency::cny();
    let per_line = price(
        &b,
        &tax(
            TaxPricing::Exclusive,
            TaxRoundingLevel::PerLine,
            Rounding::HalfUp,
        ),
        &cny,
    );
    let per_receipt = price(
        &b,
        &tax(
            TaxPricing::Exclusive,
            TaxRoundingLevel::PerReceipt,
            Rounding::HalfUp,
        ),
        &cny,
    );
    assert_eq!(per_line.tax, money("0.03"));
    assert_eq!(per_receipt.tax, money("0.04"));
    assert!(per_line.lines.iter().all(|l| l.tax == Some(money("0.01"))));
    assert!(per_receipt.lines.iter().all(|l| l.tax.is_none()));
}

#[test]
fn half_even_differs_from_half_up_on_weighed_items() {
    let mut apples = item("20001", "9.80", "B");
    apples.weighed = true;
    let mut b = Basket::new();
    b.add(&apples, Quantity::Grams(125)).unwrap(); // 1.225
    let cny = Currency::cny();
    let up = price(
        &b,
        &tax(
            TaxPricing::Inclusive,
            TaxRoundingLevel::PerLine,
            Rounding::HalfUp,
        ),
        &cny,
    );
    let even = price(
        &b,
        &tax(
            TaxPricing::Inclusive,
            TaxRoundingLevel::PerLine,
            Rounding::HalfEven,
        ),
        &cny,
    );
    assert_eq!((up.total, even.total), (money("1.23"), money("1.22")));
}

#[test]
fn buy_two_get_one_free_takes_the_last_scanned() {
    let mut yoghurt = item("10003", "9.90", "B");
    yoghurt.promotion = Some(posrig_pos::basket::Promotion::BuyGetFree { buy: 2, get: 1 });
    let mut b = Basket::new();
    let first = b.add(&yoghurt, Quantity::Units(2)).unwrap();
    b.add(&item("10001", "5.00", "A"), Quantity::Units(1))
        .unwrap();
    let last = b.add(&yoghurt, Quantity::Units(1)).unwrap();
    let t = price(&b, &support::store().tax, &Currency::cny());
    assert_eq!(t.promotions, money("9.90"));
    assert_eq!(t.line(first).unwrap().promotion, Money::ZERO);
    assert_eq!(t.line(last).unwrap().promotion, money("9.90"));
    assert_eq!(t.total, money("24.80"));
    // Voiding one of the three removes the free unit.
    b.void_line(last).unwrap();
    let t = price(&b, &support::store().tax, &Currency::cny());
    assert_eq!((t.promotions, t.total), (Money::ZERO, money("24.80")));
    // Six units: two free.
    b.set_quantity(first, Quantity::Units(6)).unwrap();
    let t = price(&b, &support::store().tax, &Currency::cny());
    assert_eq!(t.promotions, money("19.80"));
}

#[test]
fn shipped_catalog_promotion_applies() {
    let cat = support::catalog();
    let soy = cat.by_plu("10007").unwrap(); // Soy milk, buy 3 get 1
    let mut s = support::sale(1);
    s.add_item(soy, Quantity::Units(4)).unwrap();
    let t = s.totals();
    assert_eq!(t.promotions, soy.price);
    assert_eq!(t.total, soy.price.times(dec!(3)));
}

#[test]
fn percentage_and_amount_discounts() {
    let cny = Currency::cny();
    let cfg = tax(
        TaxPricing::Inclusive,
        TaxRoundingLevel::PerLine,
        Rounding::HalfUp,
    );
    let mut b = Basket::new();
    let l1 = b
        .add(&item("10001", "12.35", "A"), Quantity::Units(1))
        .unwrap();
    b.add(&item("10002", "7.65", "B"), Quantity::Units(1))
        .unwrap();
    b.discount_line(l1, Discount::Percent(dec!(10))).unwrap(); // 1.235 → 1.24
    b.discount_basket(posrig_pos::basket::BasketDiscount {
        label: "Coupon".into(),
        discount: Discount::Amount(money("5.00")),
    })
    .unwrap();
    b.discount_basket(posrig_pos::basket::BasketDiscount {
        label: "Staff 5%".into(),
        discount: Discount::Percent(dec!(5)),
    })
    .unwrap();
    let t = price(&b, &cfg, &cny);
    assert_eq!(t.line_discounts, money("1.24"));
    // 18.76 − 5.00 = 13.76; 5 % = 0.688 → 0.69; total 13.07.
    assert_eq!(
        t.basket_discounts,
        vec![
            ("Coupon".into(), money("5.00")),
            ("Staff 5%".into(), money("0.69"))
        ]
    );
    assert_eq!(t.total, money("13.07"));
    // Basket discounts are spread over the lines exactly, so tax sees them.
    let spread: Money = t.lines.iter().map(|l| l.basket_discount).sum();
    assert_eq!(spread, money("5.69"));
    assert_eq!(t.lines.iter().map(|l| l.net).sum::<Money>(), t.total);
    // An amount discount never goes below zero.
    let mut b = Basket::new();
    let l = b
        .add(&item("10001", "3.00", "A"), Quantity::Units(1))
        .unwrap();
    b.discount_line(l, Discount::Amount(money("5.00"))).unwrap();
    assert_eq!(price(&b, &cfg, &cny).total, Money::ZERO);
}

#[test]
fn weighed_and_price_embedded_codes_from_the_catalog() {
    let cat = support::catalog();
    let mut s = support::sale(1);
    // Bananas 6.98/kg, 1.255 kg from a weight-embedded label.
    let code = in_store_code("20002", Some(1255), None);
    let r = cat.resolve_scan(&code).unwrap();
    assert!(matches!(r, Resolved::Weighed { grams: 1255, .. }));
    s.add_resolved(&r, 1).unwrap();
    // Pork belly with a price-embedded label of 23.45.
    let r = cat
        .resolve_scan(&in_store_code("20007", None, Some(2345)))
        .unwrap();
    s.add_resolved(&r, 1).unwrap();
    // Apples weighed on the scale.
    s.add_item(cat.by_plu("20001").unwrap(), Quantity::Grams(500))
        .unwrap();
    let t = s.totals();
    let gross: Vec<Money> = t.lines.iter().map(|l| l.gross).collect();
    assert_eq!(gross, vec![money("8.76"), money("23.45"), money("4.90")]);
    assert_eq!(t.total, money("37.11"));
}

#[test]
fn scans_every_shipped_barcode() {
    let cat = support::catalog();
    for item in cat.items() {
        for code in &item.barcodes {
            assert_eq!(
                cat.resolve_scan(code).unwrap().item().plu,
                item.plu,
                "{code}"
            );
        }
    }
}
