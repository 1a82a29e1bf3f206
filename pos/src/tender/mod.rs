//! Tenders, domain part: the records of how a sale was paid (cash with change, card with masked
//! PAN and host references, QR wallet), masked PANs, cash rounding and change, and split-tender
//! accounting. No I/O: the card and QR flows (`card.rs`, `qr.rs`) are built on these.

mod cash;
mod pan;
mod record;

pub use cash::{settle_cash, CashOutcome};
pub use pan::{MaskedPan, PanError};
pub use record::{CardTender, CashTender, EntryMode, QrTender, Tender, TenderDetail, TenderKind};

use crate::money::Money;

/// What is still due after `tenders`, given the sale's `total` and the cash rounding adjustment
/// already applied (negative when the customer was rounded down). Never below zero.
pub fn remaining_due(total: Money, rounding: Money, tenders: &[Tender]) -> Money {
    let paid: Money = tenders.iter().map(|t| t.amount).sum();
    (total + rounding - paid).max(Money::ZERO)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::money;

    #[test]
    fn split_tender_remaining_due() {
        let card = Tender::qr(money("30.00"), "OTN1", "TX1");
        assert_eq!(
            remaining_due(money("100.00"), Money::ZERO, std::slice::from_ref(&card)),
            money("70.00")
        );
        let cash = Tender::cash(money("70.00"), money("70.00"), Money::ZERO);
        assert_eq!(
            remaining_due(money("100.00"), Money::ZERO, &[card, cash]),
            Money::ZERO
        );
    }
}
