//! The void (撤销) slip: printed when a completed sale is voided by its receipt number. It is
//! marked VOID, names the original receipt, and for a card tender shows the masked PAN with the
//! original's authorisation code and RRN (and the void's own STAN and RRN); a cash part shows
//! what was paid back from the drawer.

use super::render::{header, neg};
use super::{DocKind, ReceiptDoc};
use crate::clock::DateTime;
use crate::config::StoreInfo;
use crate::money::Money;
use crate::tender::CardTender;

/// What a void slip shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoidSlip {
    /// The original's receipt number (`LANE0001-000012`).
    pub original_receipt: String,
    /// Operator number of the cashier who voided it.
    pub operator: String,
    /// The original sale's total.
    pub total: Money,
    /// The card tender voided at the host, if there was one.
    pub card: Option<VoidedCard>,
    /// Cash paid back from the drawer.
    pub cash: Money,
}

/// A card tender voided at the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoidedCard {
    /// The original tender (masked PAN, auth code, RRN, STAN, batch).
    pub original: CardTender,
    /// Its amount.
    pub amount: Money,
    /// STAN of the void request and the RRN the host gave it (field 37); `None` when the
    /// void is completed after a restart (the answer was journalled, not its references).
    pub void_ref: Option<(u32, String)>,
}

/// Renders the void slip.
pub fn render_void(store: &StoreInfo, slip: &VoidSlip, at: DateTime) -> ReceiptDoc {
    let mut d = ReceiptDoc::new(DocKind::Void);
    header(&mut d, store);
    d.title("*** VOID ***");
    d.pair("VOID", format!("of No. {}", slip.original_receipt));
    d.pair(at.to_string(), format!("Op {}", slip.operator));
    d.rule();
    d.big_pair("TOTAL VOIDED", neg(slip.total));
    if let Some(VoidedCard {
        original: card,
        amount,
        void_ref,
    }) = &slip.card
    {
        d.pair("Card", neg(*amount));
        d.line(format!("  {}", card.masked_pan.as_str()));
        d.pair("  Auth code", &card.auth_code);
        d.pair("  RRN", &card.rrn);
        d.pair(
            "  Batch / STAN",
            format!("{:06} / {:06}", card.batch, card.stan),
        );
        if let Some((void_stan, void_rrn)) = void_ref {
            d.pair("  Void STAN", format!("{void_stan:06}"));
            if !void_rrn.is_empty() {
                d.pair("  Void RRN", void_rrn);
            }
        }
    }
    if !slip.cash.is_zero() {
        d.pair("Cash paid back", neg(slip.cash));
    }
    d.rule();
    d.centre("Cardholder signature not required");
    d.barcode(format!("{}-V", slip.original_receipt));
    d.feed(1).cut();
    d
}
