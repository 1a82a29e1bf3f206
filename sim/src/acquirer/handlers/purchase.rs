//! Purchase (消费) — card, PIN, chip cryptogram (ARQC), amount limit and funds checks; an
//! approval debits the card and enters the ledger.

use posrig_protocols::card::mask_pan;
use posrig_protocols::iso8583::ResponseCode;

use super::chip::check_purchase_arqc;
use super::{checked_card, request_pan, response, stamp_approval, Decision, Request};
use crate::acquirer::ledger::{EntryState, LedgerEntry, LedgerKind};
use crate::acquirer::state::HostState;

/// 0200 `000000` → 0210.
pub(crate) fn purchase(st: &mut HostState, req: &Request<'_>) -> Decision {
    let Some(amount) = req.msg.amount_minor() else {
        return Decision::code(
            req.msg,
            ResponseCode::FormatError,
            "purchase without amount",
        );
    };
    if amount == 0 {
        return Decision::code(req.msg, ResponseCode::InvalidAmount, "zero amount");
    }
    let limit = st.amount_limit_minor;
    let card = match checked_card(st, req, true) {
        Ok(card) => card,
        Err((code, detail)) => return Decision::code(req.msg, code, detail),
    };
    if let Err((code, detail)) = check_purchase_arqc(card, req.msg, amount) {
        return Decision::code(req.msg, code, detail);
    }
    if amount > limit {
        return Decision::code(
            req.msg,
            ResponseCode::OverAmountLimit,
            format!("{amount} over the limit {limit}"),
        );
    }
    if amount > card.balance_minor {
        let detail = format!("card {}: {amount} over balance", card.name);
        return Decision::code(req.msg, ResponseCode::InsufficientFunds, detail);
    }
    card.balance_minor -= amount;
    let (name, domestic) = (card.name.clone(), card.domestic);
    let masked = mask_pan(request_pan(req.msg).unwrap_or_default());
    let mut resp = response(req.msg, ResponseCode::Approved);
    let (rrn, auth_code) = stamp_approval(st, &mut resp, None);
    let at_us = st.elapsed_us();
    st.ledger.push(LedgerEntry {
        seq: 0,
        terminal_id: req.terminal_id.to_owned(),
        merchant_id: req.merchant_id.to_owned(),
        batch: req.batch,
        stan: req.stan,
        kind: LedgerKind::Purchase,
        amount_minor: amount,
        rrn,
        auth_code,
        masked_pan: masked,
        card: Some(name.clone()),
        domestic,
        state: EntryState::Approved,
        original: None,
        refunded_minor: 0,
        at_us,
    });
    Decision::approved(resp, format!("purchase {amount} on {name}"))
}
