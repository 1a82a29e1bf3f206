//! Rendering a completed sale or refund into a receipt document: store header, lines with
//! promotions and discounts, totals, tenders (masked PAN, auth code, RRN), change, tax
//! breakdown, member points, footer and a barcode of the receipt number.

use super::{DocKind, ReceiptDoc};
use crate::basket::Quantity;
use crate::clock::DateTime;
use crate::config::StoreInfo;
use crate::money::Money;
use crate::sale::{Sale, SaleKind};
use crate::tender::TenderDetail;

/// The receipt number printed and encoded in the barcode: terminal id and sale id.
pub fn receipt_number(terminal_id: &str, sale: &Sale) -> String {
    format!("{terminal_id}-{}", sale.id())
}

/// `-x.xx`, or `0.00` for nothing.
pub(crate) fn neg(m: Money) -> String {
    if m.is_zero() {
        m.to_string()
    } else {
        format!("-{m}")
    }
}

/// Renders `sale` (normally completed) as a receipt.
pub fn render_sale(store: &StoreInfo, terminal_id: &str, sale: &Sale, at: DateTime) -> ReceiptDoc {
    let (kind, title) = match sale.kind() {
        SaleKind::Sale => (DocKind::Sale, "SALE"),
        SaleKind::Refund => (DocKind::Refund, "REFUND"),
    };
    let mut d = ReceiptDoc::new(kind);
    header(&mut d, store);
    let number = receipt_number(terminal_id, sale);
    d.pair(title, format!("No. {number}"));
    d.pair(
        at.to_string(),
        format!("Op {} {}", sale.operator().number, sale.operator().name),
    );
    if let Some(orig) = sale.original_receipt() {
        d.line(format!("Refund of receipt {orig}"));
    }
    d.rule();

    let totals = sale.totals();
    let mut voided = 0;
    for line in sale.basket().lines() {
        if line.voided {
            voided += 1;
            continue;
        }
        let Some(p) = totals.line(line.id) else {
            continue;
        };
        d.pair(&line.name, format!("{} {}", p.gross, line.tax_class));
        match (line.fixed_amount, line.quantity) {
            (Some(_), _) => {}
            (None, Quantity::Units(n)) if n > 1 => {
                d.line(format!("  {n} x {}", line.unit_price));
            }
            (None, Quantity::Grams(g)) => {
                d.line(format!(
                    "  {} kg x {}/kg",
                    rust_decimal::Decimal::new(g.into(), 3),
                    line.unit_price
                ));
            }
            _ => {}
        }
        if let Some(was) = line.overridden_from {
            d.line(format!("  Price override (was {was})"));
        }
        if !p.promotion.is_zero() {
            let label = line.promotion.map(|pr| pr.label()).unwrap_or_default();
            d.pair(format!("  {label}"), neg(p.promotion));
        }
        if let Some(disc) = line.discount {
            d.pair(format!("  Discount {}", disc.label()), neg(p.line_discount));
        }
    }
    if voided > 0 {
        d.line(format!("Voided lines: {voided}"));
    }
    d.rule();

    d.pair("Subtotal", totals.subtotal.to_string());
    for (label, amount) in &totals.basket_discounts {
        d.pair(label, neg(*amount));
    }
    let savings = totals.savings();
    if !savings.is_zero() {
        d.pair("You saved", savings.to_string());
    }
    d.big_pair("TOTAL", format!("CNY {}", totals.total));
    if !sale.rounding().is_zero() {
        d.pair("Cash rounding", sale.rounding().to_string());
    }
    d.rule();

    let mut change = Money::ZERO;
    for t in sale.tenders() {
        match &t.detail {
            TenderDetail::Cash(c) => {
                d.pair("Cash", c.tendered.to_string());
                change += c.change;
            }
            TenderDetail::Card(c) => {
                d.pair(format!("Card {}", c.masked_pan), t.amount.to_string());
                let offline = if c.offline { " OFFLINE" } else { "" };
                d.line(format!(
                    "  {}{offline}  Auth {}  RRN {}",
                    c.entry_mode.as_str().to_uppercase(),
                    c.auth_code,
                    c.rrn
                ));
                d.line(format!("  STAN {:06}  Batch {:06}", c.stan, c.batch));
            }
            TenderDetail::Qr(q) => {
                d.pair("QR wallet", t.amount.to_string());
                d.line(format!("  Order {}", q.out_trade_no));
                d.line(format!("  Txn {}", q.transaction_id));
            }
        }
    }
    if !change.is_zero() {
        d.big_pair("CHANGE", change.to_string());
    }
    d.rule();

    d.line(format!(
        "{:<6}{:>6}{:>12}{:>12}{:>12}",
        "Tax", "Rate", "Net", "Tax", "Gross"
    ));
    for b in &totals.tax_breakdown {
        let rate = format!(
            "{}%",
            (b.rate * rust_decimal::Decimal::ONE_HUNDRED).normalize()
        );
        d.line(format!(
            "{:<6}{:>6}{:>12}{:>12}{:>12}",
            b.code,
            rate,
            b.net.to_string(),
            b.tax.to_string(),
            b.gross.to_string()
        ));
    }
    d.line(format!("Items: {}", totals.item_count));

    if let Some(m) = sale.member() {
        d.rule();
        d.line(format!("Member {} ({})", m.name, m.id));
        d.pair("  Points before", m.balance_before.to_string());
        if m.redeemed != 0 {
            d.pair("  Points redeemed", (-m.redeemed).to_string());
        }
        d.pair("  Points earned", m.earned.to_string());
        d.pair("  Points balance", m.balance_after().to_string());
    }
    d.rule();
    for line in &store.footer {
        d.centre(line);
    }
    d.barcode(number);
    d.feed(1).cut();
    d
}

/// The store header shared by receipts and reports.
pub(crate) fn header(d: &mut ReceiptDoc, store: &StoreInfo) {
    d.title(&store.name);
    for line in &store.address {
        d.centre(line);
    }
    if let Some(phone) = &store.phone {
        d.centre(format!("Tel {phone}"));
    }
    d.centre(format!("Tax ID {}", store.tax_id));
    d.rule();
}
