//! Offline sale advice — the terminal approved a sale offline; the host accepts and records it
//! (an advice cannot be declined) and debits the card if it knows it.
//!
//! An advice is identified by terminal, batch and STAN, never by card:
//! - With card data (field 2 or 35) the card is looked up and, if known, debited.
//! - Without card data — what a POS sends after a restart, since its journal keeps no full PAN —
//!   the advice is still accepted and recorded as advised with an empty masked PAN and no card.
//!   It has no balance effect: an advice without a card cannot be charged to a card. It counts
//!   in settlement as a domestic debit (the host cannot tell a foreign card without its PAN).
//! - A repeat of an advice the ledger already holds (same terminal, batch and STAN, same amount,
//!   with or without card data) is answered `00` again with the first RRN and authorisation code
//!   and changes nothing; the same STAN with another amount, or a STAN already used by another
//!   transaction of the batch, is `94`.

use posrig_protocols::card::mask_pan;
use posrig_protocols::iso8583::ResponseCode;

use super::{request_pan, response, stamp_approval, Decision, Request};
use crate::acquirer::ledger::{EntryState, LedgerEntry, LedgerKind};
use crate::acquirer::state::HostState;

/// 0220 `000000` 60.1 `30` → 0230, keeping the terminal's offline approval code.
pub(crate) fn advice(st: &mut HostState, req: &Request<'_>) -> Decision {
    let Some(amount) = req.msg.amount_minor() else {
        return Decision::code(req.msg, ResponseCode::FormatError, "advice needs an amount");
    };
    if let Some(known) = st.ledger.find(req.terminal_id, req.batch, req.stan) {
        return repeat(st, req, known.clone(), amount);
    }
    let (card, domestic, masked_pan) = match request_pan(req.msg) {
        Some(pan) => match st.cards.get_mut(pan) {
            Some(card) => {
                card.balance_minor = card.balance_minor.saturating_sub(amount);
                (Some(card.name.clone()), card.domestic, mask_pan(pan))
            }
            None => (None, true, mask_pan(pan)),
        },
        None => (None, true, String::new()),
    };
    let detail = match &card {
        Some(name) => format!("offline sale {amount} recorded on {name}"),
        None if masked_pan.is_empty() => {
            format!("offline sale {amount} recorded without card data (not charged to a card)")
        }
        None => format!("offline sale {amount} recorded on an unknown card"),
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
        masked_pan,
        card,
        domestic,
        state: EntryState::Advised,
        original: None,
        refunded_minor: 0,
        at_us,
    });
    Decision::approved(resp, detail)
}

/// An advice whose terminal, batch and STAN the ledger already holds.
fn repeat(st: &mut HostState, req: &Request<'_>, known: LedgerEntry, amount: u64) -> Decision {
    if known.kind != LedgerKind::OfflineSale || known.amount_minor != amount {
        return Decision::code(
            req.msg,
            ResponseCode::Duplicate,
            format!(
                "STAN already used in this batch by a {:?} of {}",
                known.kind, known.amount_minor
            ),
        );
    }
    let mut resp = response(req.msg, ResponseCode::Approved);
    let (hms, mmdd, _) = st.calendar();
    let _ = resp.set_local_time(&hms);
    let _ = resp.set_local_date(&mmdd);
    let _ = resp.set_settlement_date(&mmdd);
    let _ = resp.set_acquirer_id(&st.acquirer_id.clone());
    let _ = resp.set_rrn(&known.rrn);
    let _ = resp.set_auth_code(&known.auth_code);
    Decision::approved(
        resp,
        format!("offline sale {amount} already recorded: accepted again, nothing changed"),
    )
}
