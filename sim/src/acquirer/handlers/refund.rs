//! Refund (退货) — credits part or all of an earlier purchase (any batch) named in field 61.

use posrig_protocols::card::mask_pan;
use posrig_protocols::iso8583::ResponseCode;

use super::{checked_card, request_pan, response, stamp_approval, Decision, Request};
use crate::acquirer::ledger::{EntryState, LedgerEntry, LedgerKind};
use crate::acquirer::state::HostState;

/// 0220 `200000` → 0230.
pub(crate) fn refund(st: &mut HostState, req: &Request<'_>) -> Decision {
    let (Some(amount), Some(Ok(f61))) = (req.msg.amount_minor(), req.msg.field61()) else {
        return Decision::code(
            req.msg,
            ResponseCode::FormatError,
            "refund needs fields 4 and 61",
        );
    };
    if amount == 0 {
        return Decision::code(req.msg, ResponseCode::InvalidAmount, "zero amount");
    }
    let name = match checked_card(st, req, false) {
        Ok(card) => card.name.clone(),
        Err((code, detail)) => return Decision::code(req.msg, code, detail),
    };
    let (ob, os) = (f61.original_batch, f61.original_stan);
    let Some(original) = st.ledger.find(req.terminal_id, ob, os) else {
        return Decision::code(req.msg, ResponseCode::OriginalNotFound, "no such purchase");
    };
    if original.kind != LedgerKind::Purchase
        || original.state != EntryState::Approved
        || original.card.as_deref() != Some(name.as_str())
    {
        return Decision::code(
            req.msg,
            ResponseCode::OriginalNotFound,
            "no standing purchase of this card",
        );
    }
    let refundable = original.amount_minor - original.refunded_minor;
    if amount > refundable {
        return Decision::code(
            req.msg,
            ResponseCode::InvalidAmount,
            format!("{amount} over the refundable {refundable}"),
        );
    }
    let domestic = original.domestic;
    if let Some(e) = st.ledger.find_mut(req.terminal_id, ob, os) {
        e.refunded_minor += amount;
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
        kind: LedgerKind::Refund,
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
    Decision::approved(resp, format!("refund {amount} of STAN {os} in batch {ob}"))
}
