//! Balance inquiry — card and PIN checks, then the balance in field 4 of the 0210.

use posrig_protocols::iso8583::ResponseCode;

use super::{checked_card, response, stamp_approval, Decision, Request};
use crate::acquirer::state::HostState;

/// 0200 `310000` → 0210 with the available balance (minor units) in field 4.
pub(crate) fn inquiry(st: &mut HostState, req: &Request<'_>) -> Decision {
    let (balance, name) = match checked_card(st, req, true) {
        Ok(card) => (card.balance_minor, card.name.clone()),
        Err((code, detail)) => return Decision::code(req.msg, code, detail),
    };
    let mut resp = response(req.msg, ResponseCode::Approved);
    let _ = resp.set_amount_minor(balance);
    stamp_approval(st, &mut resp, None);
    Decision::approved(resp, format!("balance of {name}"))
}
