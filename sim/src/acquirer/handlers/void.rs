//! Void (撤销) — cancels an approved purchase of the open batch named in field 61, restoring the
//! card's balance.

use posrig_protocols::card::mask_pan;
use posrig_protocols::iso8583::ResponseCode;

use super::{checked_card, request_pan, response, stamp_approval, Decision, Request};
use crate::acquirer::ledger::{EntryState, LedgerEntry, LedgerKind};
use crate::acquirer::state::HostState;

/// 0200 `200000` → 0210.
pub(crate) fn void(st: &mut HostState, req: &Request<'_>) -> Decision {
    let (Some(amount), Some(Ok(f61))) = (req.msg.amount_minor(), req.msg.field61()) else {
        return Decision::code(
            req.msg,
            ResponseCode::FormatError,
            "void needs fields 4 and 61",
        );
    };
    let name = match checked_card(st, req, false) {
        Ok(card) => card.name.clone(),
        Err((code, detail)) => return Decision::code(req.msg, code, detail),
    };
    let (ob, os) = (f61.original_batch, f61.original_stan);
    let Some(original) = st.ledger.find(req.terminal_id, ob, os) else {
        return Decision::code(req.msg, ResponseCode::OriginalNotFound, "no such purchase");
    };
    if original.kind != LedgerKind::Purchase || original.card.as_deref() != Some(name.as_str()) {
        return Decision::code(
            req.msg,
            ResponseCode::OriginalNotFound,
            "not a purchase of this card",
        );
    }
    match original.state {
        EntryState::Approved if original.refunded_minor == 0 => {}
        EntryState::Voided => {
            return Decision::code(req.msg, ResponseCode::InvalidTransaction, "already voided")
        }
        _ => {
            return Decision::code(
                req.msg,
                ResponseCode::OriginalNotFound,
                "purchase not standing",
            )
        }
    }
    if original.amount_minor != amount {
        return Decision::code(
            req.msg,
            ResponseCode::InvalidAmount,
            "amount differs from the purchase",
        );
    }
    let domestic = original.domestic;
    if let Some(e) = st.ledger.find_mut(req.terminal_id, ob, os) {
        e.state = EntryState::Voided;
    }
    if let Some(card) = st.cards.by_name_mut(&name) {
        card.balance_minor += amount;
    }
    let mut resp = response(req.msg, ResponseCode::Approved);
    let (rrn, auth_code) = stamp_approval(st, &mut resp, None);
    let at_us = st.elapsed_us();
    st.ledger.push(LedgerEntry {
        seq: 0,
        terminal_id: req.terminal_id.to_owned(),
        merchant_id: req.merchant_id.to_owned(),
        batch: req.batch,
        stan: req.stan,
        kind: LedgerKind::Void,
        amount_minor: amount,
        rrn,
        auth_code,
        masked_pan: mask_pan(request_pan(req.msg).unwrap_or_default()),
        card: Some(name),
        domestic,
        state: EntryState::Approved,
        original: Some((ob, os)),
        refunded_minor: 0,
        at_us,
    });
    Decision::approved(resp, format!("void of STAN {os} in batch {ob}"))
}
