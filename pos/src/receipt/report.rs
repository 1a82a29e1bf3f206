//! X and Z report documents from the journal's day totals: counts and amounts of sales and
//! refunds, cancels, voids, no-sales, tax, and totals by tender type.

use super::render::{header, neg};
use super::{DocKind, ReceiptDoc};
use crate::clock::DateTime;
use crate::config::StoreInfo;
use crate::journal::DayTotals;

/// An X report: the open day so far (nothing is reset).
pub fn render_x_report(
    store: &StoreInfo,
    terminal_id: &str,
    totals: &DayTotals,
    at: DateTime,
) -> ReceiptDoc {
    render(DocKind::XReport, "X REPORT", store, terminal_id, totals, at)
}

/// A Z report: the day just closed, with its Z number.
pub fn render_z_report(
    store: &StoreInfo,
    terminal_id: &str,
    totals: &DayTotals,
    at: DateTime,
) -> ReceiptDoc {
    render(DocKind::ZReport, "Z REPORT", store, terminal_id, totals, at)
}

fn render(
    kind: DocKind,
    title: &str,
    store: &StoreInfo,
    terminal_id: &str,
    t: &DayTotals,
    at: DateTime,
) -> ReceiptDoc {
    let mut d = ReceiptDoc::new(kind);
    header(&mut d, store);
    d.title(title);
    if let Some(z) = t.z_no {
        d.centre(format!("Z No. {z:04}"));
    }
    d.pair(format!("Terminal {terminal_id}"), at.to_string());
    d.rule();
    d.pair(
        format!("Sales ({})", t.sales.count),
        t.sales.amount.to_string(),
    );
    d.pair(
        format!("Refunds ({})", t.refunds.count),
        neg(t.refunds.amount),
    );
    if t.voided.count > 0 {
        // Voided sales are out of the sales above (and of NET); shown for the audit.
        d.pair(
            format!("Voided sales ({})", t.voided.count),
            t.voided.amount.to_string(),
        );
    }
    d.big_pair("NET", t.net().to_string());
    d.pair("Discounts given", t.savings.to_string());
    d.pair("Cash rounding", t.rounding.to_string());
    d.pair("Cancelled", t.cancelled.to_string());
    d.pair("Line voids", t.line_voids.to_string());
    d.pair("No-sale opens", t.no_sales.to_string());
    d.rule();
    d.line("By tender");
    for tt in &t.by_tender {
        let name = match tt.kind {
            crate::tender::TenderKind::Cash => "Cash",
            crate::tender::TenderKind::Card => "Card",
            crate::tender::TenderKind::Qr => "QR wallet",
        };
        d.pair(
            format!("  {name} sales ({})", tt.sales.count),
            tt.sales.amount.to_string(),
        );
        if tt.refunds.count > 0 {
            d.pair(
                format!("  {name} refunds ({})", tt.refunds.count),
                neg(tt.refunds.amount),
            );
        }
        d.pair(format!("  {name} net"), tt.net().to_string());
    }
    d.rule();
    d.line("Tax");
    for (code, tax) in &t.tax {
        d.pair(format!("  Class {code}"), tax.to_string());
    }
    d.feed(1).cut();
    d
}
