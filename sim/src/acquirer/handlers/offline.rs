//! Offline sale advice — the terminal approved a sale offline; the host accepts and records it
//! (an advice cannot be declined) and debits the card if it knows it.

use posrig_protocols::card::mask_pan;
use posrig_protocols::iso8583::ResponseCode;

use super::{request_pan, response, stamp_approval, Decision, Request};
use crate::acquirer::ledger::{EntryState, LedgerEntry, LedgerKind};
use crate::acquirer::state::HostState;

/// 0220 `000000` 60.1 `30` → 0230, keeping the terminal's offline approval code.
pub(crate) fn advice(st: &mut HostState, req: &Request<'_>) -> Decision {
    let (Some(amount), Some(pan)) = (req.msg.amount_minor(), request_pan(req.msg)) else {
        return Decision::code(
            req.msg,
            ResponseCode::FormatError,
            "advice needs amount and PAN",
        );
    };
    let (card, domestic) = match st.cards.get_mut(pan) {
        Some(card) => {
            card.balance_minor = card.balance_minor.saturating_sub(amount);
            (Some(card.name.clone()), card.domestic)
        }
        None => (None, true),
    };
    let offline_code = req.msg.auth_code().map(str::to_owned);
    let mut resp = response(req.msg, ResponseCode::Approved);
    let (rrn, auth_code) = stamp_approval(st, &mut resp, offline_code.as_deref());
    let at_us = st.elapsed_us();
    st.ledger.push(LedgerEntry {
        seq: 0,
        terminal_id: req.terminal_id.to_owned(),
        merchant_id: req.merchant_id.to_owned(),
        batch: req.batch,
        stan: req.stan,
        kind: LedgerKind::OfflineSale,
        amount_minor: amount,
        rrn,
        auth_code,
        masked_pan: mask_pan(pan),
        card,
        domestic,
        state: EntryState::Advised,
        original: None,
        refunded_minor: 0,
        at_us,
    });
    Decision::approved(resp, format!("offline sale {amount} recorded"))
}
